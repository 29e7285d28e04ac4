/// Reading a committed block's transactions (transaction and receipt lookups after a
/// restart, `braid verify-chain`) takes each sender from the block's stored receipts, where
/// admission put it, instead of recovering every signature again; and still returns what
/// was submitted.
import BraidEVM
import BraidPrimitives
import BraidRPC
import BraidStorage
import Foundation
import Testing

@testable import BraidNode

@Suite struct StoredTransactionsAreNotRecovered {
  typealias T = PersistentNodeSurvivesRestart

  /// Transactions of types 0, 1 and 2 from four senders, one block, then a restart: every
  /// lookup reads the store, through the node and through JSON-RPC, and returns what was
  /// submitted, sender included.
  @Test func storedTransactionsReadBackAsSubmittedAfterARestart() throws {
    let dir = T.DataDir()
    let submitted: [(tx: Transaction, key: Int)] = [
      (
        .legacy(
          chainId: Fixture.chainId, nonce: 0, gasPrice: Fixture.gwei(3), gasLimit: 21_000,
          to: Fixture.recipient,
          value: UInt256(101), data: [], sender: .zero), 0
      ),
      (
        .legacy(
          type: 1, chainId: Fixture.chainId, nonce: 0, gasPrice: Fixture.gwei(3), gasLimit: 30_000,
          to: Fixture.address(3), value: UInt256(202), data: [],
          accessList: [AccessListEntry(address: Fixture.recipient, storageKeys: [UInt256(5)])], sender: .zero),
        1
      ),
      (
        Transaction(
          type: 2, chainId: Fixture.chainId, nonce: 0, gasLimit: 21_000, maxFeePerGas: Fixture.gwei(3),
          maxPriorityFeePerGas: Fixture.gwei(1), to: Fixture.recipient, value: UInt256(303), data: [],
          sender: .zero), 2
      ),
      (
        Transaction(
          type: 2, chainId: Fixture.chainId, nonce: 0, gasLimit: 21_000, maxFeePerGas: Fixture.gwei(3),
          maxPriorityFeePerGas: Fixture.gwei(1), to: Fixture.address(0), value: UInt256(404), data: [],
          sender: .zero), 3
      ),
    ]
    let raws = try submitted.map { try TransactionSigner.sign($0.tx, privateKey: Fixture.key($0.key)) }
    var node: NodeChain? = try T.open(dir)
    let hashes = T.submit(node!, raws)
    #expect(hashes.count == raws.count)
    let block = try #require(node!.sequencer.produceBlock()?.block)
    #expect(block.receipts.count == raws.count)
    T.close(&node)

    node = try T.open(dir)
    // A scope, so that the service and `n` let go of the node before it is closed.
    do {
      let n = node!
      let service = RPCService(backend: n)
      func call(_ method: String, _ hash: Hash32) -> JSONObject? {
        let body = #"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":["\#(hash)"]}"#
        guard let response = post(body, to: service), let value = try? JSONParser.parse(response.body) else {
          return nil
        }
        return value.objectValue?["result"]?.objectValue
      }
      for (i, (tx, key)) in submitted.enumerated() {
        let sender = Fixture.address(key)
        let hash = hashes[i]
        #expect(hash == Keccak256.hash(raws[i]))
        let t = try #require(n.transaction(hash: hash), "transaction \(i)")
        #expect(t.location?.blockNumber == block.header.number && t.location?.index == i)
        #expect(t.signed.hash == hash && t.signed.raw == raws[i])
        #expect(t.signed.transaction.sender == sender, "transaction \(i)")
        #expect(t.signed.transaction.type == tx.type && t.signed.transaction.to == tx.to)
        #expect(t.signed.transaction.value == tx.value && t.signed.transaction.nonce == tx.nonce)
        #expect(t.signed.transaction.accessList == tx.accessList)
        let r = try #require(n.receipt(hash: hash), "receipt \(i)")
        #expect(r.from == sender && r.to == tx.to && r.type == tx.type && r.success, "receipt \(i)")
        #expect(r.location.index == i)

        let rpcTransaction = try #require(
          call("eth_getTransactionByHash", hash), "transaction \(i) over JSON-RPC")
        #expect(rpcTransaction["from"] == .string("\(sender)"))
        #expect(rpcTransaction["hash"] == .string("\(hash)"))
        let rpcReceipt = try #require(call("eth_getTransactionReceipt", hash), "receipt \(i) over JSON-RPC")
        #expect(rpcReceipt["from"] == .string("\(sender)"))
        #expect(rpcReceipt["to"] == .string("\(tx.to!)"))
      }
    }
    T.close(&node)
  }

  /// A block stored with a receipt whose sender is not the signature's: reads after a
  /// restart answer the stored sender, so they did not recover it. `ChainReplay` replays
  /// with the stored sender too (and so diverges here), and with `recoverSenders` names
  /// the transaction whose stored sender the signature contradicts.
  @Test func readsAnswerTheStoredSenderWithoutRecovering() throws {
    let dir = T.DataDir()
    var node: NodeChain? = try T.open(dir)
    _ = T.submit(node!, [Fixture.transfer(from: 0, nonce: 0)])
    let first = try #require(node!.sequencer.produceBlock()?.block)
    T.close(&node)

    let signer = Fixture.address(1)
    let claimed = Fixture.address(3)
    let raw = Fixture.transfer(from: 1, nonce: 0, value: UInt256(777))
    do {
      let store = try Store.open(path: dir.path)
      let model = try #require(try store.receipts(inBlock: 1)?.first)
      var stored = model
      stored.sender = claimed
      let state = try store.loadState()
      // The header keeps the state as it was: only the stored sender matters to the reads.
      let header = BlockHeader(
        number: 2, parentHash: first.hash, stateRoot: state.stateRoot(), gasLimit: first.header.gasLimit,
        timestamp: first.header.timestamp + 1, baseFeePerGas: first.header.baseFeePerGas)
      try store.commitBlock(
        CommittedBlock(
          header: header, transactions: [raw], receipts: [stored], changes: StateDiff(accounts: [:])))
    }
    #expect(try SignedTransaction.decode(raw).transaction.sender == signer)

    node = try T.open(dir)
    let hash = Keccak256.hash(raw)
    let t = try #require(node!.transaction(hash: hash))
    #expect(t.location?.blockNumber == 2)
    #expect(t.signed.transaction.sender == claimed)
    #expect(t.signed.transaction.value == UInt256(777))
    let r = try #require(node!.receipt(hash: hash))
    #expect(r.from == claimed)
    #expect(r.to == Fixture.recipient)
    T.close(&node)

    let replay = try ChainReplay.verify(
      dataDirectory: dir.path, genesis: T.genesis, adoptStoredTimestamp: false)
    #expect(replay.mismatches.contains("block 2: state root differs"), "\(replay.mismatches)")
    #expect(!replay.mismatches.contains { $0.contains("signed by") }, "\(replay.mismatches)")
    let checked = try ChainReplay.verify(
      dataDirectory: dir.path, genesis: T.genesis, adoptStoredTimestamp: false, recoverSenders: true)
    #expect(
      checked.mismatches.contains("block 2 transaction 0: stored sender \(claimed), signed by \(signer)"),
      "\(checked.mismatches)")
  }
}
