import BraidEVM
import BraidHTTP
import BraidPrimitives
import BraidRPC
import Dispatch
import Foundation
import Synchronization
import Testing

@testable import BraidNode

/// The node behind the real JSON-RPC service, requests handed to it without sockets.
@Suite struct JSONRPCServesTheNode {
  final class Client: Sendable {
    let node: NodeChain
    let service: RPCService<NodeChain>

    init() {
      node = NodeChain(
        NodeConfiguration(
          genesis: .dev(timestamp: 1_700_000_000),
          sequencer: SequencerConfiguration(
            blockInterval: .milliseconds(5), maxTransactions: 100, execThreads: 2)))
      service = RPCService(backend: node)
    }

    func call(_ method: String, _ params: String = "[]") -> (result: JSONValue?, error: JSONObject?) {
      let body = #"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":\#(params)}"#
      let response = post(body, to: service)
      guard let response, let value = try? JSONParser.parse(response.body), let o = value.objectValue else {
        return (nil, nil)
      }
      return (o["result"], o["error"]?.objectValue)
    }

    func waitForReceipt(_ hash: String) -> JSONObject? {
      for _ in 0..<2000 {
        if let r = call("eth_getTransactionReceipt", #"["\#(hash)"]"#).result?.objectValue { return r }
        Thread.sleep(forTimeInterval: 0.005)
      }
      return nil
    }
  }

  @Test func devAccountsTransactThroughJSONRPC() throws {
    let client = Client()
    client.node.start()
    defer { client.node.stop() }
    let node = client.node

    #expect(client.call("eth_chainId").result == .string("0x539"))
    let accounts = try #require(client.call("eth_accounts").result?.arrayValue)
    #expect(accounts.count == 10)
    #expect(accounts.first == .string("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"))
    #expect(accounts.dropFirst().first == .string("0x70997970c51812dc3a010c7d01b50e0d17dc79c8"))

    // A raw transaction signed with the first dev key.
    let key = node.configuration.genesis.devKeys[0]
    let tx = Transaction(
      type: 2, chainId: 1337, nonce: 0, gasLimit: 21_000, maxFeePerGas: UInt256(3_000_000_000),
      maxPriorityFeePerGas: UInt256(1_000_000_000), to: Fixture.recipient, value: UInt256(12_345), data: [],
      sender: .zero)
    let raw = try TransactionSigner.sign(tx, privateKey: key)
    let sent = client.call("eth_sendRawTransaction", #"["\#(Hex.encode(raw))"]"#)
    let hash = try #require(sent.result?.stringValue, "\(String(describing: sent.error?.members))")
    let receipt = try #require(client.waitForReceipt(hash))
    #expect(receipt["status"] == .string("0x1"))
    #expect(receipt["blockNumber"] == .string("0x1"))
    #expect(
      client.call("eth_getBalance", #"["\#(Fixture.recipient)", "latest"]"#).result == .string("0x3039"))

    // The same again is refused in geth's words: the nonce has been used.
    let again = client.call("eth_sendRawTransaction", #"["\#(Hex.encode(raw))"]"#)
    #expect(again.error?["message"]?.stringValue?.hasPrefix("nonce too low") == true)

    // eth_sendTransaction signs with the node's dev key; the nonce comes from the pool.
    let from = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"
    let viaNode = client.call(
      "eth_sendTransaction", #"[{"from": "\#(from)", "to": "\#(Fixture.recipient)", "value": "0x1"}]"#)
    let hash2 = try #require(viaNode.result?.stringValue, "\(String(describing: viaNode.error?.members))")
    #expect(client.waitForReceipt(hash2)?["status"] == .string("0x1"))
    #expect(client.call("eth_getTransactionCount", #"["\#(from)", "pending"]"#).result == .string("0x1"))

    let block = try #require(client.call("eth_getBlockByNumber", #"["0x1", false]"#).result?.objectValue)
    let stateRoot = try #require(block["stateRoot"]?.stringValue)
    #expect(stateRoot != Hash32.zero.description)
  }

  @Test func sendRawTransactionSyncReturnsTheReceipt() throws {
    let client = Client()
    client.node.start()
    defer { client.node.stop() }
    let tx = Transaction(
      type: 2, chainId: 1337, nonce: 0, gasLimit: 21_000, maxFeePerGas: UInt256(3_000_000_000),
      maxPriorityFeePerGas: UInt256(1_000_000_000), to: Fixture.recipient, value: UInt256(1), data: [],
      sender: .zero)
    let raw = try TransactionSigner.sign(tx, privateKey: client.node.configuration.genesis.devKeys[3])
    let answer = client.call("eth_sendRawTransactionSync", #"["\#(Hex.encode(raw))", 5000]"#)
    let receipt = try #require(answer.result?.objectValue, "\(String(describing: answer.error?.members))")
    #expect(receipt["status"] == .string("0x1"))
    #expect(receipt["blockNumber"] == .string("0x1"))
  }

  @Test func refusalsReachTheClientAsJSONRPCErrors() {
    let client = Client()
    let broke = Fixture.transfer(from: 7, nonce: 0)  // a key the dev genesis never funded
    let answer = client.call("eth_sendRawTransaction", #"["\#(Hex.encode(broke))"]"#)
    #expect(answer.error?["code"] == .number("-32000"))
    #expect(answer.error?["message"] == .string("insufficient funds for gas * price + value"))
  }
}

@Suite struct NodeMetricsAppearOnTheMetricsPage {
  @Test func submissionsAndBlocksAreCounted() throws {
    let rpcMetrics = RPCMetrics()
    let genesis = Genesis(chainId: Fixture.chainId, alloc: Fixture.state(senders: 2).accounts)
    let node = NodeChain(
      NodeConfiguration(genesis: genesis), metrics: NodeMetrics(registry: rpcMetrics.registry))
    let service = RPCService(backend: node, metrics: rpcMetrics)
    _ = service  // the page is the registry's; the service serves it on GET /metrics
    // Admission may finish on the recovery thread after `submit` returns: wait for each answer.
    let answered = DispatchSemaphore(value: 0)
    node.submit(rawTransaction: Fixture.transfer(from: 0, nonce: 0)) { _ in answered.signal() }
    node.submit(rawTransaction: Fixture.transfer(from: 0, nonce: 0)) { _ in answered.signal() }
    node.submit(rawTransaction: Fixture.transfer(from: 1, nonce: 0, gas: 100)) { _ in answered.signal() }
    for _ in 0..<3 { answered.wait() }
    #expect(node.sequencer.produceBlock()?.block != nil)
    let page = String(decoding: rpcMetrics.scrape(), as: UTF8.self)
    #expect(page.contains("braid_transactions_received_total 3"))
    #expect(page.contains("braid_transactions_accepted_total 1"))
    #expect(page.contains(#"braid_transactions_rejected_total{reason="already_known"} 1"#))
    #expect(page.contains(#"braid_transactions_rejected_total{reason="intrinsic_gas"} 1"#))
    #expect(page.contains("braid_blocks_total 1"))
    #expect(page.contains("braid_head_block_number 1"))
    #expect(page.contains("braid_block_execution_seconds_count 1"))
    if SenderRecovery.isWorthwhile {
      // Three submissions, in one round or more.
      #expect(page.contains("braid_sender_recovery_batch_transactions_sum 3"))
    }
  }
}
