/// A JSON-RPC batch of raw transactions is decoded on several threads at once, then admitted
/// in call order: answers, refusals and a read placed after the submissions must be exactly
/// what one-by-one handling gives.
import BraidEVM
import BraidHTTP
import BraidPrimitives
import BraidRPC
import Foundation
import Synchronization
import Testing

@testable import BraidNode

@Test func batchedRawTransactionsAreAdmittedInCallOrder() throws {
  // Not started: no block is made, so the pool alone decides every answer.
  let node = NodeChain(NodeConfiguration(genesis: .dev(timestamp: 1_700_000_000)))
  let service = RPCService(backend: node)
  let key = node.configuration.genesis.devKeys[0]
  let sender = try #require(TransactionSigner.address(privateKey: key))
  var raws: [Bytes] = []
  for nonce in 0..<40 {
    let tx = Transaction(
      type: 2, chainId: 1337, nonce: UInt64(nonce), gasLimit: 21_000, maxFeePerGas: UInt256(3_000_000_000),
      maxPriorityFeePerGas: UInt256(1_000_000_000), to: Fixture.recipient, value: UInt256(1), data: [],
      sender: .zero)
    raws.append(try TransactionSigner.sign(tx, privateKey: key))
  }
  // Call list: the 40 in nonce order, with an undecodable one and a duplicate mixed in,
  // then a read that must see every admission before it.
  var calls: [String] = []
  var expected: [String?] = []  // a hash, or nil for a refusal
  for (i, raw) in raws.enumerated() {
    calls.append(#"{"jsonrpc":"2.0","id":\#(calls.count),"method":"eth_sendRawTransaction","params":["\#(Hex.encode(raw))"]}"#)
    expected.append(Keccak256.hash(raw).description)
    if i == 5 {
      calls.append(#"{"jsonrpc":"2.0","id":\#(calls.count),"method":"eth_sendRawTransaction","params":["0x02ff"]}"#)
      expected.append(nil)
    }
    if i == 20 {
      calls.append(#"{"jsonrpc":"2.0","id":\#(calls.count),"method":"eth_sendRawTransaction","params":["\#(Hex.encode(raws[3]))"]}"#)
      expected.append(nil)
    }
  }
  calls.append(#"{"jsonrpc":"2.0","id":\#(calls.count),"method":"eth_getTransactionCount","params":["\#(sender)","pending"]}"#)

  let response = post("[" + calls.joined(separator: ",") + "]", to: service)
  let body = try #require(response).body
  let answers = try #require(try JSONParser.parse(body).arrayValue)
  #expect(answers.count == calls.count)
  for (i, answer) in answers.enumerated() {
    let o = try #require(answer.objectValue)
    #expect(o["id"] == .number(String(i)))
    if i == calls.count - 1 {
      #expect(o["result"] == .string("0x28"))
    } else if let hash = expected[i] {
      #expect(o["result"] == .string(hash), "call \(i): \(String(describing: o["error"]))")
    } else {
      #expect(o["error"] != nil, "call \(i) should be refused")
    }
  }
  let duplicate = answers[22].objectValue?["error"]?.objectValue?["message"]?.stringValue
  #expect(duplicate == "already known")
  #expect(node.mempool.pendingCount == 40)
}
