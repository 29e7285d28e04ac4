import BraidEVM
import BraidPrimitives
import BraidStorage
import Foundation
import Testing

@Suite struct AbortedCommitTests {
  /// A block too large for the map fails part-way through its write transaction
  /// (MDB_MAP_FULL); none of it may be visible, now or after reopening.
  @Test func aCommitThatFailsPartWayLeavesNoPartialBlock() throws {
    var t = try TempStore(mapSize: 1 << 20)
    defer { t.cleanUp() }
    try t.store.commitBlock(block(0, accountChange(address(1), balance: 1)))
    try t.store.appendJournal([[1], [2]])

    var big = StateDiff()
    for i in 2..<20_000 as Range<UInt32> {
      big.merge(accountChange(address(i), balance: 5, storage: [UInt256(1): UInt256(1)]))
    }
    var credit = AccountChange()
    credit.balance = UInt256(999)
    big.accounts[address(1)] = credit  // sorts first: written before the failure
    let huge = CommittedBlock(header: header(1), transactions: [[0xc0]], receipts: [
      StoredReceipt(encoded: [0xc0], sender: address(1), gasUsed: 1, effectiveGasPrice: .one, contractAddress: nil)
    ], changes: big, journalThrough: 2)
    var failure: LMDBError?
    do { try t.store.commitBlock(huge) } catch { failure = error }
    #expect(failure?.code == LMDBError.mapFull)
    #expect(failure?.description.contains("MDB_MAP_FULL") == true)

    func checkUnchanged() throws {
      #expect(try t.store.headNumber() == 0)
      #expect(try t.store.header(number: 1) == nil)
      #expect(try t.store.transactions(inBlock: 1) == nil)
      #expect(try t.store.transactionPosition(hash: Keccak256.hash([0xc0])) == nil)
      #expect(try t.store.journalEntries().count == 2)
      let s = try t.store.stateReader()
      #expect(s.balance(of: address(1)) == UInt256(1))
      #expect(s.balance(of: address(2)) == .zero)
      #expect(try t.store.loadState().accounts.count == 1)
    }
    try checkUnchanged()
    try t.reopen(mapSize: 1 << 20)
    try checkUnchanged()

    // The store still takes the next block.
    try t.store.commitBlock(block(1, accountChange(address(2), balance: 3)))
    #expect(try t.store.headNumber() == 1)
  }

  @Test func aBlockThatDoesNotFollowTheHeadIsRefused() throws {
    let t = try TempStore()
    defer { t.cleanUp() }
    #expect(throws: LMDBError.blockOutOfOrder(head: nil, got: 1)) { try t.store.commitBlock(block(1, StateDiff())) }
    try t.store.commitBlock(block(0, accountChange(address(1), balance: 1)))
    #expect(throws: LMDBError.blockOutOfOrder(head: 0, got: 0)) {
      try t.store.commitBlock(block(0, accountChange(address(1), balance: 2)))
    }
    #expect(try t.store.stateReader().balance(of: address(1)) == UInt256(1))
  }

  @Test func aThrowingWriteClosureAbortsItsTransaction() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("braid-lmdb-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let env = try LMDBEnvironment(path: path, mapSize: 1 << 20, maxDatabases: 1)
    let db = try env.openDatabase(named: "t")
    try env.write { (txn) throws(LMDBError) in try txn.put(db, key: [1], value: [1]) }
    var thrown: LMDBError?
    do {
      try env.write { (txn) throws(LMDBError) in
        try txn.put(db, key: [2], value: [2])
        try txn.delete(db, key: [1])
        throw .corruptValue(table: "t", reason: "stop")
      }
    } catch { thrown = error }
    #expect(thrown == .corruptValue(table: "t", reason: "stop"))
    let seen = try env.read { (txn) throws(LMDBError) in [try txn.get(db, key: [1]), try txn.get(db, key: [2])] }
    #expect(seen == [[1], nil])
  }
}
