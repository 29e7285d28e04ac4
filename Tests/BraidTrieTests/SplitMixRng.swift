/// SplitMix64: a small, seedable generator, so that a failing random test names the seed
/// that reproduces it.
import BraidPrimitives

struct SplitMixRng {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9e37_79b9_7f4a_7c15
    var z = state
    z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
    z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
    return z ^ (z >> 31)
  }
  mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
  mutating func key() -> Hash32 { Hash32(word: UInt256(w0: next(), w1: next(), w2: next(), w3: next())) }

  /// Mostly short values, some single bytes below 0x80 (which RLP writes as themselves) and
  /// some of 56 bytes or more (long-form headers).
  mutating func value() -> Bytes {
    switch below(10) {
    case 0: return [UInt8(below(0x80))]
    case 1: return (0..<(56 + below(200))).map { _ in UInt8(truncatingIfNeeded: next()) }
    default: return (0..<(1 + below(40))).map { _ in UInt8(truncatingIfNeeded: next()) }
    }
  }
}
