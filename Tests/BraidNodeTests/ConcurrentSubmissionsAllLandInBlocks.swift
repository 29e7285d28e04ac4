import BraidEVM
import BraidExecution
import BraidPrimitives
import Dispatch
import Foundation
import Testing

@testable import BraidNode

/// Submitters on several threads while the sequencer thread makes blocks: every accepted
/// transaction ends up in exactly one block, and replaying the blocks sequentially from
/// genesis gives every header's state root.
@Suite struct ConcurrentSubmissionsAllLandInBlocks {
  @Test func everyAcceptedTransactionIsIncludedOnceAndReplaysToTheSameRoots() throws {
    let senders = 8
    let perSender = 12
    let genesis = Genesis(chainId: Fixture.chainId, alloc: Fixture.state(senders: senders).accounts)
    let node = NodeChain(
      NodeConfiguration(
        genesis: genesis,
        sequencer: SequencerConfiguration(blockInterval: .milliseconds(2), maxTransactions: 9, execThreads: 2)
      ))
    // Signed up front so the threads only submit.
    let raws = (0..<senders).map { s in
      (0..<perSender).map { n in
        Fixture.transfer(
          from: s, nonce: UInt64(n), to: Fixture.address((s + 3) % senders), value: UInt256(UInt64(7 + n)))
      }
    }
    node.start()
    defer { node.stop() }
    DispatchQueue.concurrentPerform(iterations: senders) { s in
      for raw in raws[s] {
        if case .failure(let e) = node.mempool.add(raw: raw) { Issue.record("refused: \(e)") }
      }
    }
    let deadline = Date().addingTimeInterval(20)
    while Date() < deadline, node.mempool.count > 0 { Thread.sleep(forTimeInterval: 0.005) }
    #expect(node.mempool.count == 0)

    var seen = Set<Hash32>()
    var replay = InMemoryState(accounts: genesis.alloc)
    for number in 1...max(1, node.headNumber()) {
      let block = try #require(node.block(number: number))
      for hash in block.transactionHashes { #expect(seen.insert(hash).inserted) }
      let txs = block.transactionHashes.map { node.transaction(hash: $0)!.signed.transaction }
      let result = BlockExecutor.execute(
        txs, block: block.header.environment(chainId: Fixture.chainId), state: &replay, threads: 0)
      #expect(result.receipts.count == txs.count)
      #expect(block.header.stateRoot == replay.stateRoot())
    }
    #expect(seen.count == senders * perSender)
  }
}
