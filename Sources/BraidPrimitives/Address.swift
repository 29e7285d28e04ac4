/// A 20-byte account address, stored as three words so that hashing and equality are cheap.
public struct Address: Hashable, Sendable, Comparable, CustomStringConvertible {
  // Big-endian: hi = bytes 0..<8, mid = bytes 8..<16, lo = bytes 16..<20.
  public var hi: UInt64
  public var mid: UInt64
  public var lo: UInt32

  public static let zero = Address(hi: 0, mid: 0, lo: 0)

  @inlinable public init(hi: UInt64, mid: UInt64, lo: UInt32) {
    self.hi = hi
    self.mid = mid
    self.lo = lo
  }

  /// From exactly 20 bytes.
  public init<C: Collection>(_ bytes: C) where C.Element == UInt8 {
    precondition(bytes.count == 20, "address must be 20 bytes")
    var h: UInt64 = 0, m: UInt64 = 0, l: UInt32 = 0
    var i = 0
    for b in bytes {
      if i < 8 { h = h << 8 | UInt64(b) } else if i < 16 { m = m << 8 | UInt64(b) } else { l = l << 8 | UInt32(b) }
      i += 1
    }
    self.init(hi: h, mid: m, lo: l)
  }

  /// The low 20 bytes of a 32-byte word (how the EVM turns a stack item into an address).
  @inlinable public init(word: UInt256) {
    self.init(hi: (word.w2 & 0xffff_ffff) << 32 | word.w1 >> 32, mid: word.w1 << 32 | word.w0 >> 32, lo: UInt32(truncatingIfNeeded: word.w0))
  }

  /// The address as a 32-byte word, zero-padded on the left.
  @inlinable public var word: UInt256 {
    UInt256(w0: UInt64(lo) | mid << 32, w1: mid >> 32 | hi << 32, w2: hi >> 32, w3: 0)
  }

  public init(hex: String) throws(HexError) {
    let b = try Hex.decode(hex)
    guard b.count == 20 else { throw .tooLong(hex) }
    self.init(b)
  }

  public var bytes: Bytes {
    var out = Bytes(repeating: 0, count: 20)
    for i in 0..<8 { out[i] = UInt8(truncatingIfNeeded: hi >> (56 - 8 * UInt64(i))) }
    for i in 0..<8 { out[8 + i] = UInt8(truncatingIfNeeded: mid >> (56 - 8 * UInt64(i))) }
    for i in 0..<4 { out[16 + i] = UInt8(truncatingIfNeeded: lo >> (24 - 8 * UInt32(i))) }
    return out
  }

  /// Writes the 20 bytes at `p`, without the array `bytes` allocates.
  @inlinable public func store(to p: UnsafeMutableRawPointer) {
    p.storeBytes(of: hi.bigEndian, as: UInt64.self)
    (p + 8).storeBytes(of: mid.bigEndian, as: UInt64.self)
    (p + 16).storeBytes(of: lo.bigEndian, as: UInt32.self)
  }

  public var description: String { Hex.encode(bytes) }

  public static func < (a: Address, b: Address) -> Bool {
    (a.hi, a.mid, a.lo) < (b.hi, b.mid, b.lo)
  }
}
