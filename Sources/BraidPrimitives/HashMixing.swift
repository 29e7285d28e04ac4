/// Cheap hashing for the hot dictionaries (per-transaction caches, Block-STM's versioned
/// memory). Each value is folded into one 64-bit word before it reaches `Hasher`, which
/// then runs one SipHash round plus finalization instead of one per limb.
///
/// The fold multiplies each limb by a random odd key chosen once per process, so that a
/// client choosing storage slots cannot precompute colliding keys (a plain XOR of the limbs
/// would let it, and collisions degrade a hash table to a linear scan).
public enum HashMixing {
  public static let k0 = UInt64.random(in: .min ... .max) | 1
  public static let k1 = UInt64.random(in: .min ... .max) | 1
  public static let k2 = UInt64.random(in: .min ... .max) | 1
  public static let k3 = UInt64.random(in: .min ... .max) | 1

  @inlinable @inline(__always)
  public static func fold(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) -> UInt64 {
    (a &* k0) ^ (b &* k1).rotateLeft(17) ^ (c &* k2).rotateLeft(31) ^ (d &* k3).rotateLeft(47)
  }
}

extension UInt64 {
  @inlinable @inline(__always)
  public func rotateLeft(_ n: UInt64) -> UInt64 { (self << n) | (self >> (64 &- n)) }
}

extension Address {
  @inlinable @inline(__always) public var mixed: UInt64 { HashMixing.fold(hi, mid, UInt64(lo), 0x5ad) }
  @inlinable public func hash(into hasher: inout Hasher) { hasher.combine(mixed) }
}

extension UInt256 {
  @inlinable @inline(__always) public var mixed: UInt64 { HashMixing.fold(w0, w1, w2, w3) }
  @inlinable public func hash(into hasher: inout Hasher) { hasher.combine(mixed) }
}

extension Hash32 {
  @inlinable public func hash(into hasher: inout Hasher) { hasher.combine(word.mixed) }
}
