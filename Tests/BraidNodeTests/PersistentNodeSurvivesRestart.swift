import BraidEVM
import BraidPrimitives
import BraidRPC
import BraidStorage
import Dispatch
import Foundation
import Synchronization
import Testing

@testable import BraidNode

/// A node over a data directory: what it acknowledged survives a restart (journal replay),
/// every block is in the store before readers see it, and blocks made before a restart are
/// read back the same as before it.
@Suite struct PersistentNodeSurvivesRestart {
  /// A data directory in a fresh temporary folder.
  final class DataDir {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(
      "braid-node-\(UUID().uuidString)"
    ).path
    deinit { try? FileManager.default.removeItem(atPath: path) }
  }

  static let genesis = Genesis(
    chainId: Fixture.chainId, timestamp: 1_700_000_000, alloc: Fixture.state(senders: 4).accounts)

  static func open(_ dir: DataDir, metrics: NodeMetrics? = nil) throws -> NodeChain {
    try NodeChain.open(
      NodeConfiguration(
        genesis: genesis, sequencer: SequencerConfiguration(maxTransactions: 1000, execThreads: 2),
        clock: { 1_700_000_100 }),
      dataDirectory: dir.path, metrics: metrics)
  }

  /// Stops the node and waits until its store is closed: LMDB must not have one
  /// environment open twice in a process, and the journal thread lets go just after stop.
  static func close(_ node: inout NodeChain?) {
    weak let store = node?.persistent
    node?.stop()
    node = nil
    let deadline = ContinuousClock.now + .seconds(5)
    while store != nil && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.001) }
    #expect(store == nil, "the store is still open")
  }

  /// Submits through `NodeChain.submit` and waits for every answer (each comes once the
  /// transaction is journaled).
  static func submit(_ node: NodeChain, _ raws: [Bytes]) -> [Hash32] {
    let answers = Mutex<[Int: Hash32]>([:])
    let done = DispatchSemaphore(value: 0)
    for (i, raw) in raws.enumerated() {
      node.submit(rawTransaction: raw) { result in
        if case .success(let h) = result { answers.withLock { $0[i] = h } }
        done.signal()
      }
    }
    for _ in raws { done.wait() }
    return answers.withLock { a in (0..<raws.count).compactMap { a[$0] } }
  }

  @Test func acknowledgedTransactionsComeBackFromTheJournal() throws {
    let dir = DataDir()
    var node: NodeChain? = try Self.open(dir)
    let raws = (0..<3).flatMap { s in (0..<4).map { n in Fixture.transfer(from: s, nonce: UInt64(n)) } }
    let hashes = Self.submit(node!, raws)
    #expect(hashes.count == raws.count)
    #expect(node!.mempool.journaledCount == raws.count)
    // No block was made: the transactions live only in the pool and the journal.
    Self.close(&node)

    node = try Self.open(dir)
    #expect(node!.headNumber() == 0)
    #expect(node!.mempool.count == raws.count)
    #expect(node!.mempool.pendingCount == raws.count)
    for h in hashes { #expect(node!.mempool.isPending(hash: h)) }
    while node!.sequencer.produceBlock()?.block != nil {}
    for h in hashes {
      guard case .included = node!.status(ofTransaction: h) else {
        Issue.record("\(h) not included")
        continue
      }
    }
    let head = node!.headNumber()
    #expect(try node!.persistent!.journalEntries().isEmpty)
    Self.close(&node)

    // Included transactions are not replayed again.
    node = try Self.open(dir)
    #expect(node!.headNumber() == head)
    #expect(node!.mempool.count == 0)
    Self.close(&node)
  }

  @Test func eachBlockIsCommittedBeforeItIsPublished() throws {
    let dir = DataDir()
    var node: NodeChain? = try Self.open(dir)
    do {
      let store = node!.persistent!
      #expect(try store.headNumber() == 0)
      for round in 0..<3 {
        let hashes = Self.submit(node!, (0..<4).map { Fixture.transfer(from: $0, nonce: UInt64(round)) })
        // Journaled but not in a block yet.
        #expect(try store.journalEntries().count == hashes.count)
        let block = try #require(node!.sequencer.produceBlock()?.block)
        #expect(try store.headNumber() == block.header.number)
        let stored = try #require(try store.header(number: block.header.number))
        #expect(stored == block.header)
        #expect(stored.hash == block.hash)
        #expect(try store.transactions(inBlock: block.header.number) == block.transactions.map(\.signed.raw))
        for h in hashes {
          #expect(try store.transactionPosition(hash: h)?.blockNumber == block.header.number)
        }
        #expect(try store.journalEntries().isEmpty)
        // The stored state is the block's post-state, written from its change set alone.
        #expect(try store.loadState().stateRoot() == block.header.stateRoot)
      }
    }
    Self.close(&node)
  }

  @Test func blocksFromBeforeARestartReadTheSame() throws {
    let dir = DataDir()
    var node: NodeChain? = try Self.open(dir)
    // A contract whose creation logs (PUSH1 0 PUSH1 0 LOG0), next to plain transfers.
    let deploy = try TransactionSigner.sign(
      Transaction(
        type: 2, chainId: Fixture.chainId, nonce: 0, gasLimit: 100_000, maxFeePerGas: Fixture.gwei(3),
        maxPriorityFeePerGas: Fixture.gwei(1), to: nil, value: .zero, data: [0x60, 0x00, 0x60, 0x00, 0xa0],
        sender: .zero), privateKey: Fixture.key(0))
    let hashes = Self.submit(
      node!, [deploy, Fixture.transfer(from: 1, nonce: 0), Fixture.transfer(from: 2, nonce: 0)])
    let block = try #require(node!.sequencer.produceBlock()?.block)
    _ = Self.submit(node!, [Fixture.transfer(from: 3, nonce: 0)])
    _ = try #require(node!.sequencer.produceBlock()?.block)
    let before = hashes.map { (node!.transaction(hash: $0)!, node!.receipt(hash: $0)!) }
    let logsBefore = node!.logs(inBlock: 1)
    #expect(logsBefore.count == 1)
    Self.close(&node)

    node = try Self.open(dir)
    do {
      let n = node!
      #expect(n.headNumber() == 2)
      let record = try #require(n.block(number: 1))
      #expect(record.hash == block.hash)
      #expect(record.header == block.header)
      #expect(record.size == block.record.size)
      #expect(record.transactionHashes == hashes)
      #expect(n.block(hash: block.hash)?.header.number == 1)
      for (h, (tx, receipt)) in zip(hashes, before) {
        let t = try #require(n.transaction(hash: h))
        #expect(t.signed.raw == tx.signed.raw)
        #expect(t.location == tx.location)
        #expect(t.effectiveGasPrice == tx.effectiveGasPrice)
        let r = try #require(n.receipt(hash: h))
        #expect(r.location == receipt.location)
        #expect(r.from == receipt.from && r.to == receipt.to && r.type == receipt.type)
        #expect(r.success == receipt.success)
        #expect(r.gasUsed == receipt.gasUsed && r.cumulativeGasUsed == receipt.cumulativeGasUsed)
        #expect(r.effectiveGasPrice == receipt.effectiveGasPrice)
        #expect(r.contractAddress == receipt.contractAddress)
        #expect(r.logs == receipt.logs)
        #expect(r.logsBloom == receipt.logsBloom)
        guard case .included = n.status(ofTransaction: h) else {
          Issue.record("\(h) is not included after the restart")
          continue
        }
      }
      #expect(n.logs(inBlock: 1) == logsBefore)
      let matched = try n.logs(
        matching: LogFilter(fromBlock: 0, toBlock: 2, addresses: [logsBefore[0].log.address]))
      #expect(matched == logsBefore)
      // BLOCKHASH and the chain continue from the stored head.
      #expect(n.store.recentBlockHashes(before: 3)[1] == block.hash)
      _ = Self.submit(n, [Fixture.transfer(from: 1, nonce: 1)])
      let next = try #require(n.sequencer.produceBlock()?.block)
      #expect(next.header.number == 3)
      #expect(next.header.parentHash == n.block(number: 2)?.hash)
    }
    Self.close(&node)
  }

  @Test func concurrentSubmissionsShareJournalSyncs() throws {
    let dir = DataDir()
    let rpcMetrics = RPCMetrics()
    var node: NodeChain? = try Self.open(dir, metrics: NodeMetrics(registry: rpcMetrics.registry))
    do {
      let n = node!
      let perSender = 40
      let raws = (0..<4).map { s in (0..<perSender).map { Fixture.transfer(from: s, nonce: UInt64($0)) } }
      let accepted = Atomic<Int>(0)
      DispatchQueue.concurrentPerform(iterations: 4) { s in
        accepted.add(Self.submit(n, raws[s]).count, ordering: .relaxed)
      }
      #expect(accepted.load(ordering: .relaxed) == 4 * perSender)
      let page = String(decoding: rpcMetrics.scrape(), as: UTF8.self)
      let line = try #require(
        page.split(separator: "\n").first { $0.hasPrefix("braid_journal_commit_seconds_count ") })
      let syncs = try #require(Int(line.split(separator: " ")[1]))
      // Each submitter waits for its own answers only at the end, so submissions queue up
      // behind a sync in progress and share the next one.
      #expect(syncs >= 1 && syncs < 4 * perSender, "\(syncs) syncs for \(4 * perSender) submissions")
      #expect(try n.persistent!.journalEntries().count == 4 * perSender)
    }
    Self.close(&node)
  }
}
