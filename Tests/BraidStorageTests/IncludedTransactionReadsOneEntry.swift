/// `Store.includedTransaction(at:)`: one transaction of a stored block and its receipt, read
/// without decoding the block's other entries, equals that index of the whole lists; the
/// logs it counts before it equal the full decode's; an index past the block is nil.
import BraidEVM
import BraidPrimitives
import BraidStorage
import Testing

@Suite struct IncludedTransactionReadsOneEntry {
  @Test func eachIndexReadsAsTheWholeListsSayAndLogsAreCounted() throws {
    var temp = try TempStore()
    defer { temp.cleanUp() }
    // Real receipts (legacy with a log, type 2 with a log, one without), repeated so that
    // counts before an index differ from the index itself.
    let executed = ReceiptFieldsTests.executedReceipts()
    let receipts = (0..<7).map { i in
      let r = executed[i % executed.count]
      return StoredReceipt(
        encoded: r.encoded, sender: address(UInt32(0x100 + i)), gasUsed: r.gasUsed,
        effectiveGasPrice: UInt256(i),
        contractAddress: i == 4 ? address(0xc4) : nil)
    }
    // Stand-ins for transaction bytes, of different lengths (one long enough for a long
    // RLP header): only their position matters to the store.
    let transactions: [Bytes] = (0..<7).map { i in
      [0x02] + Bytes(repeating: UInt8(i), count: i == 3 ? 300 : i + 1)
    }
    try temp.store.commitBlock(block(0, StateDiff(accounts: [:])))
    try temp.store.commitBlock(
      CommittedBlock(
        header: header(1), transactions: transactions, receipts: receipts, changes: StateDiff(accounts: [:])))
    try temp.reopen()

    var logs = 0
    for i in 0..<7 {
      let position = TransactionPosition(blockNumber: 1, index: i)
      let counted = try #require(try temp.store.includedTransaction(at: position, countLogsBefore: true))
      #expect(counted.raw == transactions[i], "index \(i)")
      #expect(counted.receipt == receipts[i], "index \(i)")
      #expect(counted.logsBefore == logs, "index \(i)")
      let plain = try #require(try temp.store.includedTransaction(at: position))
      #expect(plain.raw == transactions[i] && plain.receipt == receipts[i] && plain.logsBefore == 0)
      #expect(
        try ReceiptFields.logCount(receipts[i].encoded, 0..<receipts[i].encoded.count)
          == receipts[i].fields().logs.count)
      logs += try receipts[i].fields().logs.count
    }
    #expect(logs == 5)
    #expect(try temp.store.includedTransaction(at: TransactionPosition(blockNumber: 1, index: 7)) == nil)
    #expect(try temp.store.includedTransaction(at: TransactionPosition(blockNumber: 2, index: 0)) == nil)
    #expect(try temp.store.includedTransaction(at: TransactionPosition(blockNumber: 0, index: 0)) == nil)
  }
}
