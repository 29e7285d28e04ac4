/// PUSH, DUP and SWAP (0x5f–0x9f).
import BraidPrimitives

extension Interpreter {
  @inline(__always) mutating func pushEnv(_ v: UInt256) {
    push(v)
    pc &+= 1
  }

  /// PUSHn: code is padded with 32 zero bytes on both sides, so the 32 bytes ending at the
  /// immediate's last byte are always readable; masking keeps only the immediate.
  @inline(__always) mutating func pushN(_ n: Int) {
    let end = code.ptr + (pc &+ 1 &+ n)
    var v = UInt256(bigEndianRaw: UnsafeRawPointer(end - 32))
    if n < 32 { v = v & (UInt256.max >> (256 &- 8 &* n)) }
    push(v)
    pc &+= 1 &+ n
  }

  @inline(__always) mutating func dup(_ n: Int) {
    push(stack[sp &- 1 &- n])
    pc &+= 1
  }

  @inline(__always) mutating func swap(_ n: Int) {
    let t = stack[sp &- 1]
    stack[sp &- 1] = stack[sp &- 1 &- n]
    stack[sp &- 1 &- n] = t
    pc &+= 1
  }
}
