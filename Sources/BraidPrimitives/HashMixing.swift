/// Cheap hashing for the hot dictionaries (per-transaction caches, Block-STM's versioned
/// memory). Each value is folded into one 64-bit word before it reaches `Hasher`, which
/// then runs one SipHash round plus finalization instead of one per limb.
///
/// The fold multiplies each limb by a random odd key chosen once per process, so that a
/// client choosing storage slots cannot precompute colliding keys (a plain XOR of the limbs
/// would let it, and collisions degrade a hash table to a linear scan).
public enum HashMixing {
  /// One global rather than four: each access to a global checks that it is initialized
  /// (a call into the runtime), and a fold needs all four keys.
  public static let keys: (UInt64, UInt64, UInt64, UInt64) = (
    UInt64.random(in: .min ... .max) | 1, UInt64.random(in: .min ... .max) | 1,
    UInt64.random(in: .min ... .max) | 1, UInt64.random(in: .min ... .max) | 1
  )

  @inlinable @inline(__always)
  public static func fold(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) -> UInt64 {
    fold(a, b, c, d, keys: keys)
  }

  /// `fold` with the keys passed in: a caller that hashes often keeps a copy of `keys`,
  /// since each read of the global checks that it is initialized.
  @inlinable @inline(__always)
  public static func fold(
    _ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64, keys k: (UInt64, UInt64, UInt64, UInt64)
  ) -> UInt64 {
    (a &* k.0) ^ (b &* k.1).rotateLeft(17) ^ (c &* k.2).rotateLeft(31) ^ (d &* k.3).rotateLeft(47)
  }

  /// A folded word and a table's seed, mixed into a bucket hash: MurmurHash3's 64-bit
  /// finalizer, whose every output bit depends on every input bit, so the few low bits a
  /// table uses are as good as the high ones.
  @inlinable @inline(__always)
  public static func finish(_ folded: UInt64, seed: Int) -> Int {
    Int(bitPattern: UInt(fmix64(folded ^ UInt64(UInt(bitPattern: seed)))))
  }

  /// MurmurHash3's 64-bit finalizer.
  @inlinable @inline(__always)
  public static func fmix64(_ value: UInt64) -> UInt64 {
    var x = value
    x ^= x >> 33
    x &*= 0xff51_afd7_ed55_8ccd
    x ^= x >> 33
    x &*= 0xc4ce_b9fe_1a85_ec53
    x ^= x >> 33
    return x
  }
}

extension UInt64 {
  @inlinable @inline(__always)
  public func rotateLeft(_ n: UInt64) -> UInt64 { (self << n) | (self >> (64 &- n)) }
}

// `_rawHashValue(seed:)` is what `Dictionary` and `Set` call for a bucket. Its default runs
// a whole SipHash (a seeding and a finalization of four rounds each) even over one word;
// in the state tables (accounts by address, slots by key), looked up several times per
// transaction, that was a quarter of a block commit. Here the keyed fold above and one
// finalizer with the table's seed replace it. `hash(into:)` stays for hashing inside
// larger keys, and both agree with `==`.
extension Address {
  @inlinable @inline(__always) public var mixed: UInt64 { HashMixing.fold(hi, mid, UInt64(lo), 0x5ad) }
  @inlinable public func hash(into hasher: inout Hasher) { hasher.combine(mixed) }
  @inlinable public func _rawHashValue(seed: Int) -> Int { HashMixing.finish(mixed, seed: seed) }
}

extension UInt256 {
  @inlinable @inline(__always) public var mixed: UInt64 { HashMixing.fold(w0, w1, w2, w3) }
  @inlinable public func hash(into hasher: inout Hasher) { hasher.combine(mixed) }
  @inlinable public func _rawHashValue(seed: Int) -> Int { HashMixing.finish(mixed, seed: seed) }
}

extension Hash32 {
  @inlinable public func hash(into hasher: inout Hasher) { hasher.combine(word.mixed) }
  @inlinable public func _rawHashValue(seed: Int) -> Int { HashMixing.finish(word.mixed, seed: seed) }
}
