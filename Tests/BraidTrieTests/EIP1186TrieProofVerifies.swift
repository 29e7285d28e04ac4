/// `IncrementalTrie.proof(for:)` checked by `TrieProof.verify`, written from the Yellow Paper
/// alone: starting from the root hash, each step must be a node whose hash (or, once
/// embedded, whose bytes) its parent references, and the walk must end at the key's value,
/// or show that the key is absent. Random tries with shared prefixes (embedded nodes), keys present and
/// absent, after updates and deletions.
import BraidPrimitives
import BraidTrie
import Testing

private typealias Rng = SplitMixRng

private func verify(root: Hash32, key: Hash32, proof: [Bytes]) throws -> Bytes? {
  try TrieProof.verify(root: root, key: key, proof: proof)
}

@Test func proofsVerifyForPresentAndAbsentKeys() throws {
  var rng = Rng(state: 1186)
  for round in 0..<20 {
    var trie = IncrementalTrie()
    var model: [Hash32: Bytes] = [:]
    var keys: [Hash32] = []
    let count = 1 + rng.below(300)
    for _ in 0..<count {
      // Some keys share a long prefix with an earlier one, so that deep nodes are embedded.
      var key = rng.key()
      if !keys.isEmpty && rng.below(3) == 0 {
        let earlier = keys[rng.below(keys.count)]
        var bytes = earlier.bytes
        bytes[31] ^= UInt8(1 + rng.below(255))
        key = Hash32(bytes)
      }
      let value: Bytes = (0..<(1 + rng.below(rng.below(4) == 0 ? 80 : 8))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
      trie.update(key, value: value)
      model[key] = value
      keys.append(key)
    }
    // A few deletions, then the root.
    for key in keys.prefix(count / 5) {
      trie.remove(key)
      model[key] = nil
    }
    let root = trie.rootHash()
    for key in keys {
      let proof = try #require(trie.proof(for: key))
      #expect(try verify(root: root, key: key, proof: proof) == model[key], "round \(round)")
    }
    for _ in 0..<20 {
      let absent = rng.key()
      let proof = try #require(trie.proof(for: absent))
      #expect(try verify(root: root, key: absent, proof: proof) == nil, "round \(round)")
    }
  }
}

@Test func proofWaitsForTheRootAndCoversTheEmptyTrie() throws {
  var trie = IncrementalTrie()
  #expect(trie.proof(for: Hash32.zero) == [])
  let key = Hash32(word: UInt256(7))
  trie.update(key, value: [1, 2, 3])
  #expect(trie.proof(for: key) == nil)
  let root = trie.rootHash()
  let proof = try #require(trie.proof(for: key))
  // A single leaf: the root node alone, embedded-sized or not.
  #expect(proof.count == 1)
  #expect(Keccak256.hash(proof[0]) == root)
  #expect(try verify(root: root, key: key, proof: proof) == [1, 2, 3])
  // A tampered proof does not verify.
  var bad = proof
  bad[0][bad[0].count - 1] ^= 1
  #expect(throws: TrieProofError.self) { try verify(root: root, key: key, proof: bad) }
}
