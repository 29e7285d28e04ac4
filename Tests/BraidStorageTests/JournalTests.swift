import BraidEVM
import BraidPrimitives
import BraidStorage
import Testing

@Suite struct JournalTests {
  @Test func appendedBatchesReplayInOrder() throws {
    let t = try TempStore()
    defer { t.cleanUp() }
    #expect(try t.store.appendJournal([[1], [2, 2]]) == 2)
    #expect(try t.store.appendJournal([]) == 2)
    #expect(try t.store.appendJournal([[3]]) == 3)
    let entries = try t.store.journalEntries()
    #expect(entries.map(\.sequence) == [1, 2, 3])
    #expect(entries.map(\.transaction) == [[1], [2, 2]] + [[3]])
  }

  @Test func aCommittedBlockTruncatesTheJournalItConsumed() throws {
    let t = try TempStore()
    defer { t.cleanUp() }
    try t.store.appendJournal((1...5).map { [UInt8($0)] })
    try t.store.commitBlock(block(0, StateDiff(), journalThrough: 3))
    #expect(try t.store.journalEntries().map(\.sequence) == [4, 5])

    try t.store.commitBlock(block(1, StateDiff(), journalThrough: 5))
    #expect(try t.store.journalEntries().isEmpty)
    // Sequences keep growing after the journal emptied, so a replayed entry is never
    // confused with one truncated earlier.
    #expect(try t.store.appendJournal([[6]]) == 6)
  }

  @Test func truncatingOnItsOwnRemovesOnlyTheOlderEntries() throws {
    let t = try TempStore()
    defer { t.cleanUp() }
    try t.store.appendJournal([[1], [2], [3]])
    try t.store.truncateJournal(through: 1)
    #expect(try t.store.journalEntries().map(\.sequence) == [2, 3])
    try t.store.truncateJournal(through: 100)
    #expect(try t.store.journalEntries().isEmpty)
  }

  /// Sequences are big-endian keys, so replay order is numeric order past one byte.
  @Test func replayOrderIsNumericAcrossByteBoundaries() throws {
    let t = try TempStore()
    defer { t.cleanUp() }
    let batch: [Bytes] = (1...300).map { [UInt8($0 & 0xff), UInt8($0 >> 8)] }
    #expect(try t.store.appendJournal(Array(batch[..<200])) == 200)
    #expect(try t.store.appendJournal(Array(batch[200...])) == 300)
    let entries = try t.store.journalEntries()
    #expect(entries.map(\.sequence) == Array(1...300))
    #expect(entries.map(\.transaction) == batch)
    try t.store.truncateJournal(through: 256)
    #expect(try t.store.journalEntries().first?.sequence == 257)
  }

  /// A block may include a later entry while an earlier one (a future nonce) waits on.
  @Test func aBlockRemovesJustTheEntriesItNames() throws {
    let t = try TempStore()
    defer { t.cleanUp() }
    try t.store.appendJournal([[1], [2], [3], [4]])
    try t.store.commitBlock(
      CommittedBlock(header: header(0), transactions: [], receipts: [], changes: StateDiff(), journalSequences: [2, 4]))
    #expect(try t.store.journalEntries().map(\.sequence) == [1, 3])
  }
}
