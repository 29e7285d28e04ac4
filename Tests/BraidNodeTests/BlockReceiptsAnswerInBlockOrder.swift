/// `eth_getBlockReceipts` answers a block's receipts in transaction order, each exactly what
/// `eth_getTransactionReceipt` answers for that transaction, by number, tag or block hash,
/// and null for a block that does not exist.
import BraidEVM
import BraidHTTP
import BraidPrimitives
import BraidRPC
import Foundation
import Testing

@testable import BraidNode

@Test func blockReceiptsMatchTheReceiptsOneByOne() throws {
  // Not started: the block is made by hand, so it holds every submission.
  let node = NodeChain(NodeConfiguration(genesis: .dev(timestamp: 1_700_000_000)))
  let service = RPCService(backend: node)
  func call(_ method: String, _ params: String) throws -> JSONValue {
    let body = #"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":\#(params)}"#
    let response = try #require(post(body, to: service))
    let o = try #require(try JSONParser.parse(response.body).objectValue)
    #expect(o["error"] == nil, "\(method): \(String(describing: o["error"]))")
    return o["result"] ?? .null
  }
  var hashes: [String] = []
  // Two senders, so the block interleaves them; each sender's nonces in order.
  for (k, key) in node.configuration.genesis.devKeys.prefix(2).enumerated() {
    for nonce in 0..<3 {
      let tx = Transaction(
        type: 2, chainId: 1337, nonce: UInt64(nonce), gasLimit: 21_000, maxFeePerGas: UInt256(3_000_000_000),
        maxPriorityFeePerGas: UInt256(1_000_000_000 + UInt64(k)), to: Fixture.recipient,
        value: UInt256(UInt64(1 + nonce)), data: [], sender: .zero)
      let raw = try TransactionSigner.sign(tx, privateKey: key)
      let hash = try call("eth_sendRawTransaction", #"["\#(Hex.encode(raw))"]"#)
      hashes.append(try #require(hash.stringValue))
    }
  }
  let outcome = try #require(node.sequencer.produceBlock())
  let block = try #require(outcome.block)
  #expect(block.receipts.count == 6)
  #expect(block.header.number == 1)

  let receipts = try #require(try call("eth_getBlockReceipts", #"["0x1"]"#).arrayValue)
  #expect(receipts.count == 6)
  let inBlockOrder = block.receipts.map { $0.transactionHash.description }
  #expect(receipts.map { $0.objectValue?["transactionHash"]?.stringValue } == inBlockOrder)
  #expect(Set(inBlockOrder) == Set(hashes))
  for (i, receipt) in receipts.enumerated() {
    let one = try call("eth_getTransactionReceipt", #"["\#(inBlockOrder[i])"]"#)
    #expect(receipt == one, "receipt \(i)")
    #expect(receipt.objectValue?["transactionIndex"] == .string(Quantity.hex(UInt64(i))))
  }
  #expect(try call("eth_getBlockReceipts", #"["latest"]"#).arrayValue == receipts)
  let blockHash = try #require(receipts.first?.objectValue?["blockHash"]?.stringValue)
  #expect(try call("eth_getBlockReceipts", #"["\#(blockHash)"]"#).arrayValue == receipts)
  #expect(try call("eth_getBlockReceipts", #"["0x0"]"#) == .array([]))
  #expect(try call("eth_getBlockReceipts", #"["0x5"]"#) == .null)
}
