/// A receipt read from the store after a restart numbers its logs across the block as it
/// did when the block was new: the lookup counts the earlier receipts' logs by walking
/// their RLP (`ReceiptFields.logCount`, through `Store.includedTransaction`) instead of
/// decoding them, and the count must agree with the full decode for typed and legacy
/// receipts, with and without logs.
import BraidEVM
import BraidPrimitives
import BraidRPC
import BraidStorage
import Testing

@testable import BraidNode

@Suite struct StoredReceiptsKeepTheirLogIndexes {
  typealias T = PersistentNodeSurvivesRestart
  static let emitter = Address(hi: 0x1095, mid: 0, lo: 2)
  /// LOG1(topic 0xaa, no data) twice, then LOG2(0xbb, 0xcc) with one byte of data: three logs a call.
  static let code: Bytes =
    [0x60, 0xaa, 0x60, 0x00, 0x60, 0x00, 0xa1] + [0x60, 0xaa, 0x60, 0x00, 0x60, 0x00, 0xa1]
    + [0x60, 0xcc, 0x60, 0xbb, 0x60, 0x01, 0x60, 0x1f, 0xa2, 0x00]

  @Test func logIndexesReadTheSameAfterARestart() throws {
    var alloc = Fixture.state(senders: 4).accounts
    alloc[Self.emitter] = AccountState(code: Code(Self.code))
    let genesis = Genesis(chainId: Fixture.chainId, timestamp: 1_700_000_000, alloc: alloc)
    let configuration = NodeConfiguration(
      genesis: genesis, sequencer: SequencerConfiguration(maxTransactions: 1000, execThreads: 2),
      clock: { 1_700_000_100 })
    let dir = T.DataDir()
    let legacyCall = try TransactionSigner.sign(
      .legacy(
        chainId: Fixture.chainId, nonce: 0, gasPrice: Fixture.gwei(3), gasLimit: 60_000, to: Self.emitter,
        value: .zero, data: [], sender: .zero), privateKey: Fixture.key(3))
    let raws = [
      Fixture.transfer(from: 0, nonce: 0, to: Self.emitter, gas: 60_000),
      Fixture.transfer(from: 1, nonce: 0),
      Fixture.transfer(from: 2, nonce: 0, to: Self.emitter, gas: 60_000),
      legacyCall,
      Fixture.transfer(from: 0, nonce: 1),
      Fixture.transfer(from: 1, nonce: 1, to: Self.emitter, gas: 60_000),
    ]

    var node: NodeChain? = try NodeChain.open(configuration, dataDirectory: dir.path)
    let hashes = T.submit(node!, raws)
    #expect(hashes.count == raws.count)
    let block = try #require(node!.sequencer.produceBlock()?.block)
    #expect(block.receipts.count == raws.count)
    let number = block.header.number
    // While the block is new these come from memory, as the sequencer built them.
    let fresh = hashes.map { node!.receipt(hash: $0) }
    let freshLogs = node!.logs(inBlock: number)
    #expect(freshLogs.count == 12)
    T.close(&node)

    node = try NodeChain.open(configuration, dataDirectory: dir.path)
    for (i, hash) in hashes.enumerated() {
      let before = try #require(fresh[i])
      let after = try #require(node!.receipt(hash: hash))
      #expect(after.logs == before.logs, "receipt \(i)")
      #expect(after.logs.map(\.logIndex) == before.logs.map(\.logIndex), "receipt \(i)")
    }
    #expect(node!.logs(inBlock: number) == freshLogs)

    let stored = try #require(try node!.persistent!.receipts(inBlock: number))
    #expect(stored.map { $0.encoded.first! < 0x80 }.contains(false), "a legacy receipt is among them")
    for (i, r) in stored.enumerated() {
      #expect(
        try ReceiptFields.logCount(r.encoded, 0..<r.encoded.count) == r.fields().logs.count, "receipt \(i)")
    }
    T.close(&node)
  }
}
