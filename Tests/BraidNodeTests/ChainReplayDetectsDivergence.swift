import BraidEVM
import BraidPrimitives
import BraidStorage
import Foundation
import Testing

@testable import BraidNode

/// `ChainReplay.verify` (behind `braid verify-chain` and the crash test) agrees with a chain
/// the node made, and reports a stored block whose state does not follow from its
/// transactions.
@Suite struct ChainReplayDetectsDivergence {
  typealias T = PersistentNodeSurvivesRestart

  @Test func aChainTheNodeMadeReplaysIdentically() throws {
    let dir = T.DataDir()
    var node: NodeChain? = try T.open(dir)
    for round in 0..<3 {
      _ = T.submit(
        node!,
        (0..<4).map { Fixture.transfer(from: $0, nonce: UInt64(round), to: Fixture.address(($0 + 1) % 4)) })
      _ = try #require(node!.sequencer.produceBlock()?.block)
    }
    T.close(&node)
    let report = try ChainReplay.verify(
      dataDirectory: dir.path, genesis: T.genesis, adoptStoredTimestamp: false)
    #expect(report.head == 3)
    #expect(report.transactions == 12)
    #expect(report.mismatches.isEmpty, "\(report.mismatches)")
  }

  @Test func aBlockWhoseStateDoesNotFollowIsReported() throws {
    let dir = T.DataDir()
    var node: NodeChain? = try T.open(dir)
    _ = T.submit(node!, [Fixture.transfer(from: 0, nonce: 0)])
    let block = try #require(node!.sequencer.produceBlock()?.block)
    T.close(&node)
    do {
      // An empty block 2 that nevertheless credits an account: its header claims the
      // state it stores, but no transaction produced it.
      let store = try Store.open(path: dir.path)
      var change = AccountChange()
      change.balance = UInt256(12345)
      change.nonce = 0
      change.code = .empty
      let diff = StateDiff(accounts: [Fixture.recipient: change])
      var state = try store.loadState()
      state.apply(diff)
      let header = BlockHeader(
        number: 2, parentHash: block.hash, stateRoot: state.stateRoot(), gasLimit: block.header.gasLimit,
        timestamp: block.header.timestamp + 1, baseFeePerGas: block.header.baseFeePerGas)
      try store.commitBlock(CommittedBlock(header: header, transactions: [], receipts: [], changes: diff))
    }
    let report = try ChainReplay.verify(
      dataDirectory: dir.path, genesis: T.genesis, adoptStoredTimestamp: false)
    #expect(report.mismatches.contains("block 2: state root differs"), "\(report.mismatches)")
    #expect(
      report.mismatches.contains { $0.hasPrefix("account \(Fixture.recipient)") }, "\(report.mismatches)")
  }
}
