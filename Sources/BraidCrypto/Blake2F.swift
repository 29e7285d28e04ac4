/// The BLAKE2b compression function F (RFC 7693 §3.2) as the 0x09 precompile of EIP-152
/// exposes it: the caller chooses the number of rounds, so F is usable for BLAKE2b itself
/// (12 rounds) and for variants, and the whole state passes in and out each call.
import BraidPrimitives

public enum Blake2F {
  /// The exact input size: rounds (4) ‖ h (64) ‖ m (128) ‖ t (16) ‖ final flag (1).
  public static let inputLength = 213

  /// Gas is one per round (EIP-152 GFROUND = 1). Malformed input costs nothing here because
  /// `compress` rejects it, and a failing precompile consumes all the call's gas anyway.
  public static func gasCost(input: Bytes) -> UInt64 {
    guard input.count == inputLength else { return 0 }
    return UInt64(rounds(input))
  }

  /// Runs F on an EIP-152 encoded input and returns the new state vector h as 64 bytes
  /// (eight little-endian words), or nil when the input is not 213 bytes or the final-block
  /// flag is neither 0 nor 1.
  ///
  /// The round count can be as large as 2^32 - 1; the caller has already charged that much
  /// gas, which is what bounds the time spent here.
  public static func compress(input: Bytes) -> Bytes? {
    guard input.count == inputLength, input[212] <= 1 else { return nil }
    return input.withUnsafeBytes { raw -> Bytes in
      let p = raw.baseAddress!
      @inline(__always) func word(_ offset: Int) -> UInt64 {
        UInt64(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
      }
      var h = (word(4), word(12), word(20), word(28), word(36), word(44), word(52), word(60))
      var m = [UInt64](repeating: 0, count: 16)
      for i in 0..<16 { m[i] = word(68 + 8 * i) }
      compress(rounds: rounds(input), h: &h, m: m, t0: word(196), t1: word(204), final: input[212] == 1)
      var out = Bytes(repeating: 0, count: 64)
      out.withUnsafeMutableBytes { o in
        let words = [h.0, h.1, h.2, h.3, h.4, h.5, h.6, h.7]
        for i in 0..<8 { o.storeBytes(of: words[i].littleEndian, toByteOffset: 8 * i, as: UInt64.self) }
      }
      return out
    }
  }

  private static func rounds(_ input: Bytes) -> UInt32 {
    UInt32(input[0]) << 24 | UInt32(input[1]) << 16 | UInt32(input[2]) << 8 | UInt32(input[3])
  }

  static let iv: [UInt64] = [
    0x6A09_E667_F3BC_C908, 0xBB67_AE85_84CA_A73B, 0x3C6E_F372_FE94_F82B, 0xA54F_F53A_5F1D_36F1,
    0x510E_527F_ADE6_82D1, 0x9B05_688C_2B3E_6C1F, 0x1F83_D9AB_FB41_BD6B, 0x5BE0_CD19_137E_2179,
  ]

  /// The message schedule, one row of 16 word indices per round. It has period 10: standard BLAKE2b's rounds 10 and 11 reuse rows
  /// 0 and 1, so with an arbitrary round count the row is `round % 10`.
  static let sigma: [Int] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
    14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3,
    11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4,
    7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8,
    9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13,
    2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9,
    12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11,
    13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10,
    6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5,
    10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0,
  ]

  typealias State = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

  /// F itself. The working vector lives in a fixed-size tuple viewed through a pointer so
  /// that millions of rounds run without allocation or bounds checks.
  static func compress(rounds: UInt32, h: inout State, m: [UInt64], t0: UInt64, t1: UInt64, final: Bool) {
    var v: (State, State) = (
      h, (iv[0], iv[1], iv[2], iv[3], iv[4] ^ t0, iv[5] ^ t1, final ? ~iv[6] : iv[6], iv[7])
    )
    withUnsafeMutableBytes(of: &v) { raw in
      let v = raw.baseAddress!.assumingMemoryBound(to: UInt64.self)
      m.withUnsafeBufferPointer { m in
        @inline(__always) func mix(_ a: Int, _ b: Int, _ c: Int, _ d: Int, _ x: UInt64, _ y: UInt64) {
          v[a] = v[a] &+ v[b] &+ x
          v[d] = (v[d] ^ v[a]).rotatedRight(32)
          v[c] = v[c] &+ v[d]
          v[b] = (v[b] ^ v[c]).rotatedRight(24)
          v[a] = v[a] &+ v[b] &+ y
          v[d] = (v[d] ^ v[a]).rotatedRight(16)
          v[c] = v[c] &+ v[d]
          v[b] = (v[b] ^ v[c]).rotatedRight(63)
        }
        var row = 0
        for _ in 0..<rounds {
          let s = row * 16
          mix(0, 4, 8, 12, m[sigma[s]], m[sigma[s + 1]])
          mix(1, 5, 9, 13, m[sigma[s + 2]], m[sigma[s + 3]])
          mix(2, 6, 10, 14, m[sigma[s + 4]], m[sigma[s + 5]])
          mix(3, 7, 11, 15, m[sigma[s + 6]], m[sigma[s + 7]])
          mix(0, 5, 10, 15, m[sigma[s + 8]], m[sigma[s + 9]])
          mix(1, 6, 11, 12, m[sigma[s + 10]], m[sigma[s + 11]])
          mix(2, 7, 8, 13, m[sigma[s + 12]], m[sigma[s + 13]])
          mix(3, 4, 9, 14, m[sigma[s + 14]], m[sigma[s + 15]])
          row = row == 9 ? 0 : row + 1
        }
      }
    }
    h.0 ^= v.0.0 ^ v.1.0
    h.1 ^= v.0.1 ^ v.1.1
    h.2 ^= v.0.2 ^ v.1.2
    h.3 ^= v.0.3 ^ v.1.3
    h.4 ^= v.0.4 ^ v.1.4
    h.5 ^= v.0.5 ^ v.1.5
    h.6 ^= v.0.6 ^ v.1.6
    h.7 ^= v.0.7 ^ v.1.7
  }
}

extension UInt64 {
  @inline(__always) fileprivate func rotatedRight(_ n: UInt64) -> UInt64 { self >> n | self << (64 - n) }
}
