/// The one-pass builder hashes leaves four at a time ahead of its pass where the machine can
/// (`CKeccakX4`); the root must be the one it gives hashing every node as it goes, for key
/// sets shaped like transaction and receipt tries, state tries, and keys that are prefixes
/// of others (values at branches), with leaves of every size from embedded to many blocks.
import BraidPrimitives
import Testing

@testable import BraidTrie

struct LeavesHashedAheadMatchOneByOne {
  struct Rng {
    var state: UInt64
    mutating func next() -> UInt64 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return state >> 11
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func bytes(_ count: Int) -> Bytes { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }
  }

  static func roots(_ pairs: [(Bytes, Bytes)]) -> (ahead: Hash32, oneByOne: Hash32) {
    var unique: [Bytes: Bytes] = [:]
    for (k, v) in pairs where !v.isEmpty { unique[k] = v }
    let sorted = unique.sorted { $0.key.lexicographicallyPrecedes($1.key) }
    var ahead = TrieBuilder(keys: sorted.map(\.key), values: sorted.map(\.value), fourWay: true)
    var oneByOne = TrieBuilder(keys: sorted.map(\.key), values: sorted.map(\.value), fourWay: false)
    return (ahead.root(), oneByOne.root())
  }

  @Test func indexKeyedTriesLikeTransactionsAndReceipts() {
    var rng = Rng(state: 1)
    for n in [1, 7, 8, 9, 15, 16, 17, 100, 128, 129, 300, 1000] {
      let items = (0..<n).map { _ in rng.bytes([1, 20, 31, 40, 120, 135, 136, 200, 300, 560, 1100][rng.below(11)]) }
      let r = Self.roots(items.enumerated().map { (RLP.encode(uint: UInt64($0.offset)), $0.element) })
      #expect(r.ahead == r.oneByOne, "\(n) items")
      #expect(r.ahead == MerklePatriciaTrie.orderedRoot(items), "\(n) items")
    }
  }

  @Test func hashedKeysLikeStateTries() {
    var rng = Rng(state: 2)
    for n in [8, 50, 333, 2000] {
      let pairs = (0..<n).map { _ in (rng.bytes(32), rng.bytes(1 + rng.below(150))) }
      let r = Self.roots(pairs)
      #expect(r.ahead == r.oneByOne, "\(n) keys")
    }
  }

  @Test func keysThatArePrefixesOfOthers() {
    var rng = Rng(state: 3)
    for round in 0..<200 {
      // Short keys over a small alphabet, so that many are prefixes of others.
      let pairs = (0..<(8 + rng.below(60))).map { _ in
        ((0..<(1 + rng.below(3))).map { _ in UInt8([0x00, 0x01, 0x10, 0x11, 0xff][rng.below(5)]) },
         rng.bytes(rng.below(3) == 0 ? 5 : 40 + rng.below(400)))
      }
      let r = Self.roots(pairs)
      #expect(r.ahead == r.oneByOne, "round \(round)")
    }
  }
}
