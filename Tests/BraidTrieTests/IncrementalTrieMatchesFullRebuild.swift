/// The incremental trie's root after any sequence of inserts, updates and deletes equals the
/// root built from scratch over the same pairs: random batches, keys that share long
/// prefixes (deep nodes short enough to be embedded), deleting down to one key and to none,
/// and hashing on several threads, four nodes at a time or one.
import BraidPrimitives
import BraidTrie
import Testing

private typealias Rng = SplitMixRng

/// `key` with nibbles from `position` on replaced by random ones: shares exactly the first
/// `position` nibbles with it when the nibble at `position` differs.
private func variant(of key: Hash32, from position: Int, _ rng: inout Rng) -> Hash32 {
  var bytes = key.bytes
  for i in position..<64 {
    let n = UInt8(rng.below(16))
    bytes[i / 2] = i & 1 == 0 ? (bytes[i / 2] & 0x0f) | n << 4 : (bytes[i / 2] & 0xf0) | n
  }
  return Hash32(bytes)
}

private func fullRoot(_ model: [Hash32: Bytes]) -> Hash32 {
  MerklePatriciaTrie.root(hashedKeys: model.map { (key: $0.key, value: $0.value) })
}

struct IncrementalTrieMatchesFullRebuild {
  @Test func emptyAndSingleKey() {
    var trie = IncrementalTrie()
    #expect(trie.rootHash() == Hash32.emptyTrie)
    let k = Hash32(word: UInt256(0xabcdef))
    trie.update(k, value: [1, 2, 3])
    #expect(trie.rootHash() == fullRoot([k: [1, 2, 3]]))
    trie.update(k, value: [0x7f])
    #expect(trie.rootHash() == fullRoot([k: [0x7f]]))
    #expect(trie.value(for: k) == [0x7f])
    trie.update(k, value: [])  // an empty value deletes
    #expect(trie.count == 0)
    #expect(trie.rootHash() == Hash32.emptyTrie)
    trie.remove(k)  // absent: nothing happens
    #expect(trie.rootHash() == Hash32.emptyTrie)
  }

  @Test func secureTrieVector() throws {
    // ethereum/tests hex_encoded_securetrie_test.json, test1 (also in StateTrieTests).
    let pairs = [
      ("0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b", "0xf848018405f446a7a056e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421a0c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
      ("0x095e7baea6a6c7c4c2dfeb977efac326af552d87", "0xf8440101a056e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421a004bccc5d94f4d1f99aab44369a910179931772f2a5c001c3229f57831c102769"),
      ("0xd2571607e241ecf590ed94b12d87c94babe36db6", "0xf8440180a0ba4b47865c55a341a4a78759bb913cd15c3ee8eaf30a62fa8d1c8863113d84e8a0c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
      ("0x62c01474f089b07dae603491675dc5b5748f7049", "0xf8448080a056e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421a0c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
      ("0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba", "0xf8478083019a59a056e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421a0c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
    ]
    var trie = IncrementalTrie()
    for (a, v) in pairs { trie.update(Keccak256.hash(try Hex.decode(a)), value: try Hex.decode(v)) }
    #expect(trie.rootHash() == (try Hash32(hex: "0x730a444e08ab4b8dee147c9b232fc52d34a223d600031c1e9d25bfc985cbd797")))
  }

  @Test(arguments: 0..<24)
  func randomBatches(seed: Int) {
    var rng = Rng(state: UInt64(seed) &* 0x1234_5677 &+ 99)
    var trie = IncrementalTrie()
    var model: [Hash32: Bytes] = [:]
    var keys: [Hash32] = []
    // Some seeds draw keys from a few clusters with long shared prefixes, so that deep
    // branches, long extensions and embedded nodes occur, and get split and collapsed.
    let clustered = seed % 3 != 0
    let anchors = (0..<3).map { _ in rng.key() }
    func freshKey() -> Hash32 {
      guard clustered else { return rng.key() }
      let anchor = keys.isEmpty || rng.below(2) == 0 ? anchors[rng.below(3)] : keys[rng.below(keys.count)]
      return variant(of: anchor, from: [1, 5, 30, 58, 61, 62, 63][rng.below(7)], &rng)
    }
    for batch in 0..<30 {
      for _ in 0..<(1 + rng.below(batch < 10 ? 8 : 60)) {
        let op = rng.below(10)
        if op < 5 || keys.isEmpty {
          let k = freshKey()
          let v = rng.value()
          if model.updateValue(v, forKey: k) == nil { keys.append(k) }
          trie.update(k, value: v)
        } else if op < 7 {
          let k = keys[rng.below(keys.count)]
          let v = rng.value()
          model[k] = v
          trie.update(k, value: v)
        } else if op < 9 {
          keys.swapAt(rng.below(keys.count), keys.count - 1)
          let k = keys.removeLast()
          model[k] = nil
          trie.remove(k)
        } else {
          trie.remove(rng.key())  // absent
        }
      }
      #expect(trie.count == model.count)
      // Both ways of hashing (four nodes at once where the machine can, and one at a time),
      // on one thread and two, one after another on the same trie.
      let root = trie.rootHash(workers: batch % 2 + 1, fourWay: batch % 4 < 2)
      #expect(root == fullRoot(model), "seed \(seed) batch \(batch)")
    }
    for (k, v) in model { #expect(trie.value(for: k) == v) }
    // Delete everything, checking the root down to one key and then none.
    while !keys.isEmpty {
      let at = rng.below(keys.count)
      keys.swapAt(at, keys.count - 1)
      let k = keys.removeLast()
      model[k] = nil
      trie.remove(k)
      if keys.count < 8 || rng.below(4) == 0 {
        #expect(trie.rootHash() == fullRoot(model), "seed \(seed), \(keys.count) keys left")
      }
    }
    #expect(trie.count == 0)
    #expect(trie.rootHash() == Hash32.emptyTrie)
  }

  @Test func deepKeysGiveEmbeddedNodes() {
    // Keys equal but for their last nibble or two: leaves and branches at depth 62-64
    // encode to under 32 bytes and are embedded in their parents.
    var rng = Rng(state: 7)
    let base = rng.key()
    var trie = IncrementalTrie()
    var model: [Hash32: Bytes] = [:]
    var keys: [Hash32] = []
    for i in 0..<40 {
      let k = variant(of: base, from: i < 20 ? 63 : 62, &rng)
      let v: Bytes = [UInt8(rng.below(0x80))]
      if model.updateValue(v, forKey: k) == nil { keys.append(k) }
      trie.update(k, value: v)
      #expect(trie.rootHash() == fullRoot(model), "insert \(i)")
    }
    for k in keys {
      model[k] = nil
      trie.remove(k)
      #expect(trie.rootHash() == fullRoot(model))
    }
  }

  @Test func parallelHashingMatches() {
    var rng = Rng(state: 42)
    var trie = IncrementalTrie()
    var model: [Hash32: Bytes] = [:]
    for _ in 0..<6000 {
      let k = rng.key()
      let v = rng.value()
      model[k] = v
      trie.update(k, value: v)
    }
    #expect(trie.rootHash(workers: 2) == fullRoot(model))
    let keys = Array(model.keys)
    for k in keys.prefix(2500) {
      let v = rng.value()
      model[k] = v
      trie.update(k, value: v)
    }
    for k in keys.suffix(1000) {
      model[k] = nil
      trie.remove(k)
    }
    #expect(trie.rootHash(workers: 4) == fullRoot(model))
    for k in keys.dropFirst(10).prefix(3000) {
      let v = rng.value()
      model[k] = v
      trie.update(k, value: v)
    }
    #expect(trie.rootHash(workers: 2) == fullRoot(model))
  }
}
