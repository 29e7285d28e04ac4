import BraidEVM
import BraidPrimitives
import Testing

/// EIP-5656: MCOPY copies within memory and handles overlapping regions like memmove.
struct EIP5656MCopyTests {
  @Test func overlappingCopyForward() throws {
    let x = Bytes(1...32)
    // MSTORE(0, x); MCOPY(dst 1, src 0, 32); SSTORE(0, MLOAD(0)); SSTORE(1, MLOAD(32))
    let code: Bytes = [0x7f] + x + push(0) + [0x52] + push(32) + push(0) + push(1) + [0x5e]
      + push(0) + [0x51] + push(0) + [0x55] + push(32) + [0x51] + push(1) + [0x55]
    var w = TestWorld(code: code)
    let r = try w.run(w.tx())
    #expect(r.success)
    #expect(w.state.storage(of: TestWorld.contract, slot: .zero) == UInt256(bigEndian: [1] + Bytes(1...31)))
    #expect(w.state.storage(of: TestWorld.contract, slot: .one) == UInt256(bigEndian: [32] + Bytes(repeating: 0, count: 31)))
  }
}
