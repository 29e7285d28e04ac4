import BraidEVM
import BraidPrimitives
import BraidRPC
import Testing

@testable import BraidNode

/// With a data directory the node keeps only its last `retainedBlocks` blocks in memory, so
/// memory stays bounded on a long run; older blocks, transactions, receipts and logs must
/// still read exactly as they did when they were new.
struct OldBlocksAreServedFromTheStore {
  @Test func blocksBeyondTheRetainedWindowReadTheSame() throws {
    let dir = PersistentNodeSurvivesRestart.DataDir()
    var configuration = NodeConfiguration(
      genesis: PersistentNodeSurvivesRestart.genesis,
      sequencer: SequencerConfiguration(maxTransactions: 1000, execThreads: 2), clock: { 1_700_000_100 })
    configuration.retainedBlocks = 2
    var node: NodeChain? = try NodeChain.open(configuration, dataDirectory: dir.path)
    do {
      let n = node!
      var seen: [(BlockRecord, [Hash32], [TransactionRecord], [ReceiptRecord])] = []
      for round in 0..<5 {
        let hashes = PersistentNodeSurvivesRestart.submit(
          n, (0..<2).map { Fixture.transfer(from: $0, nonce: UInt64(round)) })
        let block = try #require(n.sequencer.produceBlock()?.block)
        seen.append(
          (block.record, hashes, hashes.map { n.transaction(hash: $0)! }, hashes.map { n.receipt(hash: $0)! }))
      }
      #expect(n.headNumber() == 5)
      for (record, hashes, transactions, receipts) in seen {
        let number = record.header.number
        #expect(n.block(number: number)?.header == record.header, "block \(number)")
        #expect(n.block(hash: record.hash)?.header.number == number)
        #expect(n.store.blockHash(number: number) == record.hash)
        for (i, h) in hashes.enumerated() {
          let t = try #require(n.transaction(hash: h))
          #expect(t.signed.raw == transactions[i].signed.raw && t.location == transactions[i].location)
          let r = try #require(n.receipt(hash: h))
          #expect(r.cumulativeGasUsed == receipts[i].cumulativeGasUsed && r.location == receipts[i].location)
          guard case .included = n.status(ofTransaction: h) else {
            Issue.record("\(h) is not included")
            continue
          }
        }
      }
      #expect(n.store.recentBlockHashes(before: 6)[1] == seen[0].0.hash)
    }
    PersistentNodeSurvivesRestart.close(&node)
  }
}
