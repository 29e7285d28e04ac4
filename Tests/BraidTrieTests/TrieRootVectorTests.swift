/// Trie roots against the ethereum/tests TrieTests vectors (trietest.json, trieanyorder,
/// hex_encoded_securetrie_test.json) and against roots computed by py-trie's HexaryTrie
/// for inputs generated the same way on both sides.
import BraidPrimitives
import BraidTrie
import Testing

private func utf8(_ s: String) -> Bytes { Array(s.utf8) }
private func hex(_ s: String) -> Bytes { try! Hex.decode(s) }
private func rootHex(_ h: Hash32) -> String { Hex.encode(h.bytes, prefix: false) }

/// A test input string: 0x-prefixed strings are hex, others are UTF-8, nil is empty.
private func field(_ s: String?) -> Bytes {
  guard let s else { return [] }
  return s.hasPrefix("0x") ? hex(s) : utf8(s)
}

private func root(_ pairs: [(String, String?)]) -> String {
  rootHex(MerklePatriciaTrie.root(pairs.map { (field($0.0), field($0.1)) }))
}

@Test func emptyTrieRoot() {
  #expect(MerklePatriciaTrie.root([]) == Hash32.emptyTrie)
  #expect(MerklePatriciaTrie.secureRoot([]) == Hash32.emptyTrie)
  #expect(MerklePatriciaTrie.orderedRoot([]) == Hash32.emptyTrie)
  #expect(rootHex(Hash32.emptyTrie) == "56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421")
  // Only empty values: every key is absent.
  #expect(MerklePatriciaTrie.root([(utf8("a"), []), (utf8("b"), [])]) == Hash32.emptyTrie)
}

@Test func singlePairRootIsTheHashedLeaf() {
  // py-trie: HexaryTrie with b"A" -> b"a" * 55.
  #expect(root([("A", String(repeating: "a", count: 55))]) == "2b27f021ad8782503af40f685186d4a149f0e9ece9f79eb8c79591ec2b4d0755")
  // A leaf under 32 bytes is still hashed at the root: keccak(rlp([0x20 ++ "A"... ])).
  let small = MerklePatriciaTrie.root([(utf8("A"), utf8("b"))])
  var leaf = RLPWriter()
  leaf.appendList { w in
    w.append(bytes: [0x20, 0x41])
    w.append(bytes: utf8("b"))
  }
  #expect(small == Keccak256.hash(leaf.bytes))
}

@Test func trieAnyOrderDogs() {
  let expected = "5991bb8c6514148a29db676a14ac506cd2cd5775ace63c30a4fe457715e9ac84"
  #expect(root([("do", "verb"), ("dog", "puppy"), ("doge", "coin"), ("horse", "stallion")]) == expected)
  #expect(root([("horse", "stallion"), ("doge", "coin"), ("dog", "puppy"), ("do", "verb")]) == expected)
}

@Test func trieTestEmptyValuesDeleteEarlierInserts() {
  let ops: [(String, String?)] = [
    ("do", "verb"), ("ether", "wookiedoo"), ("horse", "stallion"), ("shaman", "horse"),
    ("doge", "coin"), ("ether", nil), ("dog", "puppy"), ("shaman", nil),
  ]
  #expect(root(ops) == "5991bb8c6514148a29db676a14ac506cd2cd5775ace63c30a4fe457715e9ac84")
}

@Test func trieTestBranchingInsertsThenDeletesEverything() {
  let addresses = [
    "0x04110d816c380812a427968ece99b1c963dfbce6", "0x095e7baea6a6c7c4c2dfeb977efac326af552d87",
    "0x0a517d755cebbf66312b30fff713666a9cb917e0", "0x24dd378f51adc67a50e339e8031fe9bd4aafab36",
    "0x293f982d000532a7861ab122bdc4bbfd26bf9030", "0x2cf5732f017b0cf1b1f13a1478e10239716bf6b5",
    "0x31c640b92c21a1f1465c91070b4b3b4d6854195f", "0x37f998764813b136ddf5a754f34063fd03065e36",
    "0x37fa399a749c121f8a15ce77e3d9f9bec8020d7a", "0x4f36659fa632310b6ec438dea4085b522a2dd077",
  ]
  let ops = addresses.map { ($0, Optional("something")) } + addresses.map { ($0, String?.none) }
  #expect(root(ops) == "56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421")
}

@Test func trieTestJeff() {
  let ops: [(String, String?)] = [
    ("0x0000000000000000000000000000000000000000000000000000000000000045", "0x22b224a1420a802ab51d326e29fa98e34c4f24ea"),
    ("0x0000000000000000000000000000000000000000000000000000000000000046", "0x67706c2076330000000000000000000000000000000000000000000000000000"),
    ("0x0000000000000000000000000000000000000000000000000000001234567890", "0x697c7b8c961b56f675d570498424ac8de1a918f6"),
    ("0x000000000000000000000000697c7b8c961b56f675d570498424ac8de1a918f6", "0x1234567890"),
    ("0x0000000000000000000000007ef9e639e2733cb34e4dfc576d4b23f72db776b2", "0x4655474156000000000000000000000000000000000000000000000000000000"),
    ("0x000000000000000000000000ec4f34c97e43fbb2816cfd95e388353c7181dab1", "0x4e616d6552656700000000000000000000000000000000000000000000000000"),
    ("0x4655474156000000000000000000000000000000000000000000000000000000", "0x7ef9e639e2733cb34e4dfc576d4b23f72db776b2"),
    ("0x4e616d6552656700000000000000000000000000000000000000000000000000", "0xec4f34c97e43fbb2816cfd95e388353c7181dab1"),
    ("0x0000000000000000000000000000000000000000000000000000001234567890", nil),
    ("0x000000000000000000000000697c7b8c961b56f675d570498424ac8de1a918f6", "0x6f6f6f6820736f2067726561742c207265616c6c6c793f000000000000000000"),
    ("0x6f6f6f6820736f2067726561742c207265616c6c6c793f000000000000000000", "0x697c7b8c961b56f675d570498424ac8de1a918f6"),
  ]
  #expect(root(ops) == "9f6221ebb8efe7cff60a716ecb886e67dd042014be444669f0159d8e68b42100")
}

@Test func trieTestInsertMiddleLeafKeepsValuesInBranches() {
  // "key1" is a prefix of "key1aa": its value sits in the branch's 17th slot.
  let ops: [(String, String?)] = [
    ("key1aa", "0123456789012345678901234567890123456789xxx"),
    ("key1", "0123456789012345678901234567890123456789Very_Long"),
    ("key2bb", "aval3"), ("key2", "short"),
    ("key3cc", "aval3"), ("key3", "1234567890123456789012345678901"),
  ]
  #expect(root(ops) == "cb65032e2f76c48b82b5c24b3db8f670ce73982869d38cd39a624f23d62a9e89")
}

@Test func mixedLengthKeysMatchPyTrie() {
  // 500 keys of 1 to 7 bytes (many duplicates and prefixes of one another) with values of
  // 0 to 39 bytes; the same inputs were inserted in order into py-trie's HexaryTrie,
  // deleting on an empty value.
  var pairs: [(key: Bytes, value: Bytes)] = []
  for i in 0..<500 {
    let h = Keccak256.hash(word: UInt256(UInt64(i)))
    let key = Array(h.bytes.prefix(1 + i % 7))
    let value = Array(Keccak256.hash(h.bytes).bytes.prefix(i % 40))
    pairs.append((key, value))
  }
  #expect(rootHex(MerklePatriciaTrie.root(pairs)) == "7bd14b407db86cb11890ab3f66aafaf16a0c7287e83e1046e395f3751809d4a4")
}

@Test func orderedRootMatchesPyTrie() {
  // Item i is the first 1 + i % 50 bytes of keccak256(i as 4 big-endian bytes), stored
  // under rlp(i); 300 items cross the 0x7f / 0x80 / 0x81xx key boundaries.
  func item(_ i: Int) -> Bytes {
    let be: Bytes = [UInt8(i >> 24 & 0xff), UInt8(i >> 16 & 0xff), UInt8(i >> 8 & 0xff), UInt8(i & 0xff)]
    return Array(Keccak256.hash(be).bytes.prefix(i % 50 + 1))
  }
  let items = (0..<300).map(item)
  #expect(rootHex(MerklePatriciaTrie.orderedRoot(Array(items.prefix(3)))) == "d23cfaad0469258b02733d4d7738260dad1ffc865f5a65f5ac2a09bda0d4dcee")
  #expect(rootHex(MerklePatriciaTrie.orderedRoot(items)) == "66177454d80658d0e5e884b95d6ac2d65344e891b57081230a7fa3c687246980")
}
