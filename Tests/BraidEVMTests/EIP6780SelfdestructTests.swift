import BraidEVM
import BraidPrimitives
import Testing

/// EIP-6780: SELFDESTRUCT only deletes an account created in the same transaction;
/// otherwise it just moves the balance.
struct EIP6780SelfdestructTests {
  @Test func preexistingContractKeepsItsCode() throws {
    var w = TestWorld(code: push(TestWorld.other) + [0xff], balance: UInt256(100))
    let r = try w.run(w.tx())
    #expect(r.success)
    #expect(w.state.balance(of: TestWorld.other) == UInt256(100))
    #expect(w.state.balance(of: TestWorld.contract) == .zero)
    #expect(!w.state.code(of: TestWorld.contract).isEmpty)
  }

  @Test func contractCreatedAndDestroyedInOneTransactionIsGone() throws {
    var w = TestWorld()
    let r = try w.run(w.tx(to: nil, value: UInt256(50), data: push(TestWorld.other) + [0xff]))
    #expect(r.success)
    #expect(r.createdAddress != nil)
    #expect(w.state.balance(of: TestWorld.other) == UInt256(50))
    if let a = r.createdAddress { #expect(w.state.accounts[a] == nil) }
  }
}
