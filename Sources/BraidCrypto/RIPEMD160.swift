/// RIPEMD-160 (Dobbertin, Bosselaers, Preneel 1996) for the 0x03 precompile. swift-crypto
/// does not provide it, and the precompile is the only user, so this favours clarity over
/// speed: table-driven rounds, one 64-byte block at a time.
import BraidPrimitives

extension Hashes {
  /// The 20-byte RIPEMD-160 digest of `data`. The precompile left-pads it to 32 bytes.
  public static func ripemd160(_ data: Bytes) -> Bytes {
    var state = RIPEMD160State()
    let fullBlocks = data.count / 64
    data.withUnsafeBytes { raw in
      for i in 0..<fullBlocks { state.compress(raw.baseAddress! + i * 64) }
    }
    // Merkle–Damgård padding as in MD4: 0x80, zeros to 56 mod 64, then the bit length as a
    // little-endian 64-bit integer.
    var tail = Array(data[(fullBlocks * 64)...])
    tail.append(0x80)
    while tail.count % 64 != 56 { tail.append(0) }
    let bitLength = UInt64(data.count) &* 8
    for i in 0..<8 { tail.append(UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(i)))) }
    tail.withUnsafeBytes { raw in
      for i in 0..<(tail.count / 64) { state.compress(raw.baseAddress! + i * 64) }
    }
    var out = Bytes()
    out.reserveCapacity(20)
    for word in state.h {
      for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: word >> (8 * UInt32(i)))) }
    }
    return out
  }
}

/// The chaining value and the two parallel lines ("left" and "right") of the compression
/// function. The constants are the published tables of the specification.
struct RIPEMD160State {
  var h: [UInt32] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0]

  /// Message word used at each of the 80 steps.
  private static let wordLeft: [Int] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
    7, 4, 13, 1, 10, 6, 15, 3, 12, 0, 9, 5, 2, 14, 11, 8,
    3, 10, 14, 4, 9, 15, 8, 1, 2, 7, 0, 6, 13, 11, 5, 12,
    1, 9, 11, 10, 0, 8, 12, 4, 13, 3, 7, 15, 14, 5, 6, 2,
    4, 0, 5, 9, 7, 12, 2, 10, 14, 1, 3, 8, 11, 6, 15, 13,
  ]
  private static let wordRight: [Int] = [
    5, 14, 7, 0, 9, 2, 11, 4, 13, 6, 15, 8, 1, 10, 3, 12,
    6, 11, 3, 7, 0, 13, 5, 10, 14, 15, 8, 12, 4, 9, 1, 2,
    15, 5, 1, 3, 7, 14, 6, 9, 11, 8, 12, 2, 10, 0, 4, 13,
    8, 6, 4, 1, 3, 11, 15, 0, 5, 12, 2, 13, 9, 7, 10, 14,
    12, 15, 10, 4, 1, 5, 8, 7, 6, 2, 13, 14, 0, 3, 9, 11,
  ]
  /// Left-rotation amount at each step.
  private static let rotateLeft: [UInt32] = [
    11, 14, 15, 12, 5, 8, 7, 9, 11, 13, 14, 15, 6, 7, 9, 8,
    7, 6, 8, 13, 11, 9, 7, 15, 7, 12, 15, 9, 11, 7, 13, 12,
    11, 13, 6, 7, 14, 9, 13, 15, 14, 8, 13, 6, 5, 12, 7, 5,
    11, 12, 14, 15, 14, 15, 9, 8, 9, 14, 5, 6, 8, 6, 5, 12,
    9, 15, 5, 11, 6, 8, 13, 12, 5, 12, 13, 14, 11, 8, 5, 6,
  ]
  private static let rotateRight: [UInt32] = [
    8, 9, 9, 11, 13, 15, 15, 5, 7, 7, 8, 11, 14, 14, 12, 6,
    9, 13, 15, 7, 12, 8, 9, 11, 7, 7, 12, 7, 6, 15, 13, 11,
    9, 7, 15, 11, 8, 6, 6, 14, 12, 13, 5, 14, 13, 13, 7, 5,
    15, 5, 8, 11, 14, 14, 6, 14, 6, 9, 12, 9, 12, 5, 15, 8,
    8, 5, 12, 9, 12, 5, 14, 6, 8, 13, 6, 5, 15, 13, 11, 11,
  ]
  /// Additive constant per round of 16 steps.
  private static let constantLeft: [UInt32] = [
    0x0000_0000, 0x5A82_7999, 0x6ED9_EBA1, 0x8F1B_BCDC, 0xA953_FD4E,
  ]
  private static let constantRight: [UInt32] = [
    0x50A2_8BE6, 0x5C4D_D124, 0x6D70_3EF3, 0x7A6D_76E9, 0x0000_0000,
  ]

  /// The five boolean functions; the left line uses them in order 0...4, the right line in
  /// reverse.
  @inline(__always)
  private static func f(_ j: Int, _ x: UInt32, _ y: UInt32, _ z: UInt32) -> UInt32 {
    switch j {
    case 0: return x ^ y ^ z
    case 1: return (x & y) | (~x & z)
    case 2: return (x | ~y) ^ z
    case 3: return (x & z) | (y & ~z)
    default: return x ^ (y | ~z)
    }
  }

  @inline(__always)
  private static func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 { x << n | x >> (32 &- n) }

  /// Absorbs one 64-byte block.
  mutating func compress(_ block: UnsafeRawPointer) {
    var x = [UInt32](repeating: 0, count: 16)
    for i in 0..<16 {
      x[i] = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))
    }

    var (al, bl, cl, dl, el) = (h[0], h[1], h[2], h[3], h[4])
    var (ar, br, cr, dr, er) = (h[0], h[1], h[2], h[3], h[4])
    for step in 0..<80 {
      let round = step / 16
      var t = al &+ Self.f(round, bl, cl, dl) &+ x[Self.wordLeft[step]] &+ Self.constantLeft[round]
      t = Self.rotl(t, Self.rotateLeft[step]) &+ el
      (al, el, dl, cl, bl) = (el, dl, Self.rotl(cl, 10), bl, t)

      t = ar &+ Self.f(4 - round, br, cr, dr) &+ x[Self.wordRight[step]] &+ Self.constantRight[round]
      t = Self.rotl(t, Self.rotateRight[step]) &+ er
      (ar, er, dr, cr, br) = (er, dr, Self.rotl(cr, 10), br, t)
    }
    // The two lines are folded back into the chaining value with a rotation of positions.
    let t = h[1] &+ cl &+ dr
    h[1] = h[2] &+ dl &+ er
    h[2] = h[3] &+ el &+ ar
    h[3] = h[4] &+ al &+ br
    h[4] = h[0] &+ bl &+ cr
    h[0] = t
  }
}
