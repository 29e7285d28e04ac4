import BraidEVM
import BraidPrimitives
import BraidRPC
import Testing

@testable import BraidNode

/// txpool_status, txpool_content and txpool_contentFrom show what waits in the pool: a
/// sender's run of consecutive nonces as pending, a transaction behind a gap as queued, and
/// the queued one turning pending once the gap is filled. The sequencer is not started, so
/// nothing leaves the pool.
@Test func txPoolShowsPendingAndQueued() throws {
  let client = JSONRPCServesTheNode.Client()
  let key = client.node.configuration.genesis.devKeys[0]
  let sender = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
  func send(nonce: UInt64) throws -> String {
    let tx = Transaction(
      type: 2, chainId: 1337, nonce: nonce, gasLimit: 21_000, maxFeePerGas: UInt256(3_000_000_000),
      maxPriorityFeePerGas: UInt256(1_000_000_000), to: Fixture.recipient, value: UInt256(nonce + 1), data: [],
      sender: .zero)
    let sent = client.call("eth_sendRawTransaction", #"["\#(Hex.encode(try TransactionSigner.sign(tx, privateKey: key)))"]"#)
    return try #require(sent.result?.stringValue, "\(String(describing: sent.error?.members))")
  }
  #expect(client.call("txpool_status").result?.objectValue == JSONObject([("pending", "0x0"), ("queued", "0x0")]))
  let first = try send(nonce: 0)
  _ = try send(nonce: 1)
  let gapped = try send(nonce: 3)
  #expect(client.call("txpool_status").result?.objectValue == JSONObject([("pending", "0x2"), ("queued", "0x1")]))

  let content = try #require(client.call("txpool_content").result?.objectValue)
  let pending = try #require(content["pending"]?.objectValue?[sender]?.objectValue)
  #expect(pending.members.map(\.key) == ["0", "1"])
  #expect(pending["0"]?.objectValue?["hash"]?.stringValue == first)
  #expect(pending["0"]?.objectValue?["blockNumber"] == .null)
  let queued = try #require(content["queued"]?.objectValue?[sender]?.objectValue)
  #expect(queued.members.map(\.key) == ["3"])
  #expect(queued["3"]?.objectValue?["hash"]?.stringValue == gapped)

  // Filling the gap makes the queued transaction pending.
  _ = try send(nonce: 2)
  let mine = try #require(client.call("txpool_contentFrom", #"["\#(sender)"]"#).result?.objectValue)
  #expect(mine["pending"]?.objectValue?.members.map(\.key) == ["0", "1", "2", "3"])
  #expect(mine["queued"]?.objectValue?.members.isEmpty == true)
  let other = client.call("txpool_contentFrom", #"["0x0000000000000000000000000000000000000001"]"#).result
  #expect(other?.objectValue?["pending"]?.objectValue?.members.isEmpty == true)
  #expect(client.call("txpool_contentFrom", "[]").error?["code"] == .number("-32602"))
}
