/// The four-way Keccak-256 of `CKeccakX4` (used for a trie's dirty nodes) gives, for every
/// message length of one to four blocks and in each of its four places, the hash of the
/// scalar `Keccak256.hash`, on the code the machine dispatches to and on the AVX2 code.
import BraidPrimitives
import CKeccakX4
import Testing

struct FourWayKeccakMatchesScalar {
  typealias Hasher = (UnsafePointer<UInt8>?, UInt, UnsafePointer<UInt>?, UnsafeMutablePointer<UInt64>?) -> Void

  static func check(_ hasher: Hasher, name: String) {
    var seed: UInt64 = 0x5eed
    func next() -> UInt8 {
      seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return UInt8(truncatingIfNeeded: seed >> 33)
    }
    // Messages of one to four 136-byte blocks (four hashed together share a block count),
    // with every length of each block count in every place.
    let stride = 4 * 136
    var messages = [UInt8](repeating: 0, count: 4 * stride)
    for blocks in 1...4 {
      for start in 0..<136 {
        var lengths: [UInt] = []
        for k in 0..<4 {
          let length = 136 * (blocks - 1) + (start + 37 * k) % 136
          lengths.append(UInt(length))
          for b in 0..<stride { messages[k * stride + b] = b < length ? next() : 0xee }
        }
        var lanes = [UInt64](repeating: 0, count: 16)
        messages.withUnsafeBufferPointer { m in
          lengths.withUnsafeBufferPointer { l in
            lanes.withUnsafeMutableBufferPointer { out in hasher(m.baseAddress, UInt(stride), l.baseAddress, out.baseAddress) }
          }
        }
        for k in 0..<4 {
          let expected = messages.withUnsafeBytes {
            Keccak256.hash(UnsafeRawBufferPointer(rebasing: $0[(k * stride)..<(k * stride + Int(lengths[k]))]))
          }
          let got = Hash32(
            word: UInt256(
              w0: lanes[4 * k + 3].byteSwapped, w1: lanes[4 * k + 2].byteSwapped, w2: lanes[4 * k + 1].byteSwapped,
              w3: lanes[4 * k].byteSwapped))
          #expect(got == expected, "\(name): length \(lengths[k]) in place \(k)")
        }
      }
    }
  }

  @Test(.enabled(if: braid_keccak_x4_available() != 0, "the machine has no AVX2"))
  func dispatchedCode() {
    Self.check({ braid_keccak256_x4($0, $1, $2, $3) }, name: "dispatched")
  }

  @Test(.enabled(if: braid_keccak_x4_available() != 0, "the machine has no AVX2"))
  func avx2Code() {
    Self.check({ braid_keccak256_x4_avx2($0, $1, $2, $3) }, name: "AVX2")
  }
}
