import BraidEVM
import BraidPrimitives
import Testing

/// EIP-3855: PUSH0 pushes zero for 2 gas.
struct EIP3855Push0Tests {
  @Test func push0StoresIntoSlotZero() throws {
    // PUSH1 42, PUSH0, SSTORE: slot 0 = 42.
    var w = TestWorld(code: push(42) + [0x5f, 0x55])
    let r = try w.run(w.tx())
    #expect(r.success)
    #expect(w.state.storage(of: TestWorld.contract, slot: .zero) == UInt256(42))
    // 21000 + PUSH1 3 + PUSH0 2 + cold SSTORE 2100 + set 20000.
    #expect(r.gasUsed == 21000 + 3 + 2 + 2100 + 20000)
  }
}
