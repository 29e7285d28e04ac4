/// Memory instructions and KECCAK256: MLOAD, MSTORE, MSTORE8, MCOPY (EIP-5656).
import BraidPrimitives

extension Interpreter {
  @inline(__always) mutating func mload() {
    let offset = top().pointee
    guard let o = memoryRegion(offset, UInt256(32)) else { return }
    top().pointee = memory.load(o)
    pc &+= 1
  }

  @inline(__always) mutating func mstore() {
    let offset = pop(), value = pop()
    guard let o = memoryRegion(offset, UInt256(32)) else { return }
    memory.store(o, value)
    pc &+= 1
  }

  mutating func mstore8() {
    let offset = pop(), value = pop()
    guard let o = memoryRegion(offset, UInt256(1)) else { return }
    memory.store8(o, UInt8(truncatingIfNeeded: value.w0))
    pc &+= 1
  }

  mutating func mcopy() {
    let dst = pop(), src = pop(), size = pop()
    if size.isZero {
      pc &+= 1
      return
    }
    guard let s = size.asInt, s <= 0xffff_ffff, charge(Gas.copyWord * Gas.words(s)) else { return fail() }
    // Memory is expanded to cover both regions.
    guard let so = src.asInt, let dout = dst.asInt, so <= 0xffff_ffff, dout <= 0xffff_ffff else { return fail() }
    let end = max(so, dout) + s
    if end > memory.size && !expandMemory(to: end) { return }
    memory.move(to: dout, from: so, count: s)
    pc &+= 1
  }

  mutating func keccak() {
    let offset = pop(), size = top().pointee
    guard let o = memoryRegion(offset, size) else { return }
    let s = size.clampedInt
    guard charge(Gas.keccakWord * Gas.words(s)) else { return }
    top().pointee = Keccak256.hash(UnsafeRawBufferPointer(start: memory.base + o, count: s)).word
    pc &+= 1
  }
}
