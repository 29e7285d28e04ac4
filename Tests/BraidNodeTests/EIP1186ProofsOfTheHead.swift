import BraidEVM
import BraidPrimitives
import BraidRPC
import BraidTrie
import Testing

@testable import BraidNode

/// The node answers eth_getProof from the tries it keeps for block production: proofs of
/// the latest block verify against its state root; an older block is refused with a reason.
@Test func nodeProvesItsLatestState() throws {
  let client = JSONRPCServesTheNode.Client()
  client.node.start()
  defer { client.node.stop() }
  let from = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"
  func pay(_ value: String) throws {
    let sent = client.call("eth_sendTransaction", #"[{"from": "\#(from)", "to": "\#(Fixture.recipient)", "value": "\#(value)"}]"#)
    let hash = try #require(sent.result?.stringValue, "\(String(describing: sent.error?.members))")
    _ = try #require(client.waitForReceipt(hash))
  }
  try pay("0x7")
  let first = try #require(client.call("eth_blockNumber").result?.stringValue)

  func verified(_ address: String) throws -> (balance: UInt256, nonce: UInt64)? {
    let answer = try #require(client.call("eth_getProof", #"["\#(address)", [], "latest"]"#).result?.objectValue)
    // The block the proof is of: the head now (no block is made while nothing is pending).
    let block = try #require(client.call("eth_getBlockByNumber", #"["latest", false]"#).result?.objectValue)
    let root = Hash32(try Hex.decode(String(try #require(block["stateRoot"]?.stringValue).dropFirst(2))))
    let proof = try #require(answer["accountProof"]?.arrayValue).map {
      try Hex.decode(String(try #require($0.stringValue).dropFirst(2)))
    }
    let key = Keccak256.hash(try Address(hex: address).bytes)
    guard let leaf = try TrieProof.verify(root: root, key: key, proof: proof) else { return nil }
    let fields = try RLP.decode(leaf).asList()
    #expect(answer["balance"] == .quantity(try fields[1].asUInt256()))
    return (try fields[1].asUInt256(), try fields[0].asUInt64())
  }
  #expect(try verified(Fixture.recipient.description)?.balance == UInt256(7))
  #expect(try verified(from)?.nonce == 1)
  #expect(try verified("0x00000000000000000000000000000000000000ee") == nil)

  // After another block the tries have moved on: the earlier block cannot be proven.
  try pay("0x8")
  let old = client.call("eth_getProof", #"["\#(from)", [], "\#(first)"]"#)
  #expect(old.error?["message"]?.stringValue?.contains("not available") == true)
  #expect(try verified(Fixture.recipient.description)?.balance == UInt256(15))
}
