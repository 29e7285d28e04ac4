/// A frame's byte-addressed memory, on an unsafe buffer owned by the frame.
///
/// Expansion cost is charged by the caller through `Interpreter.expandMemory`, which is
/// the only place that grows `size`; `size` is always a multiple of 32.
import BraidPrimitives

struct Memory: ~Copyable {
  private(set) var base: UnsafeMutableRawPointer
  private(set) var capacity: Int
  var size: Int = 0

  /// Bytes past `size` are not zeroed until `grow` exposes them: nothing reads past `size`,
  /// and most frames use a few words of memory, so zeroing the whole buffer up front cost
  /// every call frame a 4 KiB memset.
  init() {
    capacity = 4096
    base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
  }

  deinit { base.deallocate() }

  /// Grows the logical size to `newSize` (a multiple of 32) with zeroed bytes.
  mutating func grow(to newSize: Int) {
    guard newSize > size else { return }
    if newSize > capacity {
      var cap = capacity
      while cap < newSize { cap *= 2 }
      let nb = UnsafeMutableRawPointer.allocate(byteCount: cap, alignment: 16)
      nb.copyMemory(from: base, byteCount: size)
      base.deallocate()
      base = nb
      capacity = cap
    }
    (base + size).initializeMemory(as: UInt8.self, repeating: 0, count: newSize - size)
    size = newSize
  }

  @inline(__always) func load(_ offset: Int) -> UInt256 { UInt256(bigEndianRaw: base + offset) }
  @inline(__always) func store(_ offset: Int, _ v: UInt256) { v.storeBigEndian(to: base + offset) }
  @inline(__always) func store8(_ offset: Int, _ b: UInt8) { base.storeBytes(of: b, toByteOffset: offset, as: UInt8.self) }

  func bytes(_ offset: Int, _ count: Int) -> Bytes {
    if count == 0 { return [] }
    return Bytes(UnsafeRawBufferPointer(start: base + offset, count: count))
  }

  /// Copies `count` bytes from `src` (zero-padded past `src.count`, starting at `srcOffset`)
  /// into memory at `offset`: the semantics of CALLDATACOPY, CODECOPY and friends.
  func copyPadded(to offset: Int, from src: UnsafeRawBufferPointer, srcOffset: Int, count: Int) {
    if count == 0 { return }
    let avail = srcOffset < src.count ? min(count, src.count - srcOffset) : 0
    if avail > 0 { (base + offset).copyMemory(from: src.baseAddress! + srcOffset, byteCount: avail) }
    if avail < count { (base + offset + avail).initializeMemory(as: UInt8.self, repeating: 0, count: count - avail) }
  }

  /// MCOPY: overlapping regions are allowed.
  func move(to dst: Int, from src: Int, count: Int) {
    if count == 0 { return }
    memmove(base + dst, base + src, count)
  }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
