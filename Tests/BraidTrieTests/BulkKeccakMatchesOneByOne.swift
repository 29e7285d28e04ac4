/// `BulkKeccak` (new slots' and accounts' trie keys, four at a time where the machine can)
/// gives each message's own Keccak-256, for every count around the groups of four and for
/// the lengths it is used with and the longest it allows.
import BraidPrimitives
import BraidTrie
import Testing

struct BulkKeccakMatchesOneByOne {
  @Test(arguments: [20, 32, 1, 135])
  func everyMessageGetsItsOwnHash(length: Int) {
    var seed: UInt64 = 0xb01c + UInt64(length)
    for count in 0...13 {
      let messages: [UInt8] = (0..<(count * length)).map { _ in
        seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return UInt8(truncatingIfNeeded: seed >> 29)
      }
      var out = [Hash32](repeating: .zero, count: count)
      messages.withUnsafeBytes { m in
        out.withUnsafeMutableBufferPointer { o in
          BulkKeccak.hash(m.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!, count: count, length: length, into: o.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!)
        }
      }
      for i in 0..<count {
        #expect(out[i] == Keccak256.hash(Array(messages[(i * length)..<((i + 1) * length)])), "count \(count), message \(i)")
      }
    }
  }
}
