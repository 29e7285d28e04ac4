import BraidEVM
import BraidPrimitives
import Testing

/// EIP-1153: transient storage lives for one transaction and reverts with its frame.
struct EIP1153TransientStorageTests {
  @Test func tstoreThenTloadWithinATransaction() throws {
    // If slot 0 is set, copy transient slot 1 into slot 2 (it must read 0: a new transaction);
    // otherwise TSTORE(1, 7) and copy TLOAD(1) into slot 0.
    let first: Bytes = push(7) + push(1) + [0x5d] + push(1) + [0x5c] + push(0) + [0x55, 0x00]
    let target = 5 + first.count
    let code: Bytes =
      push(0) + [0x54] + push(UInt64(target)) + [0x57]  // SLOAD(0); JUMPI when set
      + first  // TSTORE(1, 7); SSTORE(0, TLOAD(1)); STOP
      + [0x5b] + push(1) + [0x5c] + push(2) + [0x55, 0x00]  // JUMPDEST; SSTORE(2, TLOAD(1))
    #expect(code[target] == 0x5b)
    var w = TestWorld(code: code)
    #expect(try w.run(w.tx()).success)
    #expect(w.state.storage(of: TestWorld.contract, slot: .zero) == UInt256(7))
    #expect(try w.run(w.tx()).success)
    #expect(w.state.storage(of: TestWorld.contract, slot: UInt256(2)) == .zero)
  }

  @Test func tstoreInAStaticContextFails() throws {
    // The contract STATICCALLs itself with calldata; the inner call tries TSTORE.
    // Outer: CALLDATASIZE; JUMPI inner; STATICCALL(gas, self, 0, 1, 0, 0); SSTORE(0, result); STOP
    // Inner: TSTORE(1, 1); STOP
    let outer: Bytes = push(0) + push(0) + push(1) + push(0) + [0x30, 0x5a, 0xfa] + push(0) + [0x55, 0x00]
    let inner = 4 + outer.count
    let code: Bytes = [0x36] + push(UInt64(inner)) + [0x57] + outer + [0x5b] + push(1) + push(1) + [0x5d, 0x00]
    #expect(code[inner] == 0x5b)
    var w = TestWorld(code: code)
    #expect(try w.run(w.tx()).success)
    #expect(w.state.storage(of: TestWorld.contract, slot: .zero) == .zero)
  }
}
