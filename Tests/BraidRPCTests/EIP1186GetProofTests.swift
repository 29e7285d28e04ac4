import BraidEVM
import BraidPrimitives
import BraidRPC
import BraidTrie
import Testing

/// eth_getProof answers with node lists that prove, under the block's state root, exactly
/// the balance, nonce, code hash, storage root and slot values it reports.
private func bytes(_ v: JSONValue?) throws -> Bytes {
  let s = try #require(v?.stringValue)
  return try Hex.decode(String(s.dropFirst(2)))
}

private func word(_ v: JSONValue?) throws -> UInt256 {
  let s = try #require(v?.stringValue)
  return try UInt256(parsing: s)
}

@Test func proofsVerifyAgainstTheStateRoot() throws {
  let t = TestChain()
  _ = t.chain.mine(TestChain.signed(nonce: 0, to: TestChain.logger))  // logger slot 1 = 5
  _ = t.chain.mine(TestChain.signed(nonce: 1, to: TestChain.bob, value: 3))
  let block = try #require(t.result("eth_getBlockByNumber", #"["latest", false]"#))
  let stateRoot = Hash32(try bytes(block["stateRoot"]))
  #expect(stateRoot != .zero)

  let logger = TestChain.logger.description
  let answer = try #require(t.result("eth_getProof", "[\"\(logger)\", [\"0x1\", \"0x07\", \"0x99\"], \"latest\"]"))
  #expect(answer["address"] == .string(logger))
  let accountProof = try #require(answer["accountProof"]?.arrayValue).map { try bytes($0) }
  let leaf = try #require(
    try TrieProof.verify(root: stateRoot, key: Keccak256.hash(TestChain.logger.bytes), proof: accountProof))
  let fields = try RLP.decode(leaf).asList()
  #expect(try fields[0].asUInt64() == word(answer["nonce"]).w0)
  #expect(try fields[1].asUInt256() == word(answer["balance"]))
  let storageHash = Hash32(try bytes(answer["storageHash"]))
  #expect(try fields[2].asHash32() == storageHash)
  #expect(try fields[3].asHash32() == Hash32(try bytes(answer["codeHash"])))
  #expect(try fields[3].asHash32() == Keccak256.hash(try bytes(t.result("eth_getCode", "[\"\(logger)\", \"latest\"]"))))

  let storage = try #require(answer["storageProof"]?.arrayValue)
  #expect(storage.map { $0["key"] } == ["0x1", "0x07", "0x99"])
  #expect(storage.map { $0["value"] } == ["0x5", "0x9", "0x0"])
  for (entry, slot) in zip(storage, [UInt256(1), UInt256(7), UInt256(0x99)]) {
    let proof = try #require(entry["proof"]?.arrayValue).map { try bytes($0) }
    let value = try TrieProof.verify(root: storageHash, key: Keccak256.hash(word: slot), proof: proof)
    #expect(try value.map { try RLP.decode($0).asUInt256() } ?? .zero == word(entry["value"]))
  }

  // An earlier block: the proof is against that block's root, where slot 1 was unset.
  let first = try #require(t.result("eth_getProof", "[\"\(logger)\", [\"0x1\"], \"0x0\"]"))
  #expect(first["storageProof"]?.arrayValue?.first?["value"] == "0x0")
  #expect(first["storageHash"] != answer["storageHash"])
}

@Test func absentAccountIsProvenAbsent() throws {
  let t = TestChain()
  let nobody = "0x00000000000000000000000000000000000000ee"
  let answer = try #require(t.result("eth_getProof", "[\"\(nobody)\", [\"0x0\"]]"))
  let root = Hash32(try bytes(t.result("eth_getBlockByNumber", #"["latest", false]"#)?["stateRoot"]))
  let proof = try #require(answer["accountProof"]?.arrayValue).map { try bytes($0) }
  #expect(!proof.isEmpty)
  let address = try Address(hex: nobody)
  #expect(try TrieProof.verify(root: root, key: Keccak256.hash(address.bytes), proof: proof) == nil)
  #expect(answer["balance"] == "0x0")
  #expect(answer["nonce"] == "0x0")
  #expect(answer["codeHash"] == .string(Hash32.zero.description))
  #expect(answer["storageHash"] == .string(Hash32.emptyTrie.description))
  #expect(answer["storageProof"]?.arrayValue?.first?["proof"] == [])
}

@Test func badProofRequestsAreRefused() {
  let t = TestChain()
  let alice = TestChain.alice.description
  #expect(t.call("eth_getProof", "[\"\(alice)\"]").error?.code == -32602)
  #expect(t.call("eth_getProof", "[\"\(alice)\", \"0x1\"]").error?.code == -32602)
  #expect(t.call("eth_getProof", "[\"\(alice)\", [\"1\"]]").error?.message == "invalid argument 1: hex string without 0x prefix")
  let long = "0x" + String(repeating: "1", count: 65)
  #expect(t.call("eth_getProof", "[\"\(alice)\", [\"\(long)\"]]").error?.code == -32602)
  let many = Array(repeating: "\"0x1\"", count: 1025).joined(separator: ",")
  #expect(t.call("eth_getProof", "[\"\(alice)\", [\(many)]]").error?.code == -32602)
  #expect(t.call("eth_getProof", "[\"\(alice)\", [], \"0x9\"]").error?.message == "header not found")
}
