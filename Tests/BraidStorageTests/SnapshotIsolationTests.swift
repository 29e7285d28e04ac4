import BraidEVM
import BraidPrimitives
import BraidStorage
import Foundation
import Testing

@Suite struct SnapshotIsolationTests {
  @Test func aReaderOpenedBeforeACommitKeepsSeeingTheOldBlock() throws {
    let t = try TempStore()
    defer { t.cleanUp() }
    try t.store.commitBlock(block(0, accountChange(address(1), balance: 100, storage: [UInt256(1): UInt256(1)])))
    let before = try t.store.stateReader()

    var change = AccountChange()
    change.balance = UInt256(250)
    change.storage = [UInt256(1): .zero, UInt256(2): UInt256(2)]
    var changes = StateDiff(accounts: [address(1): change])
    changes.merge(accountChange(address(2), balance: 7))
    try t.store.commitBlock(block(1, changes))
    let after = try t.store.stateReader()

    #expect(before.headNumber == 0)
    #expect(before.balance(of: address(1)) == UInt256(100))
    #expect(before.storage(of: address(1), slot: UInt256(1)) == UInt256(1))
    #expect(before.storage(of: address(1), slot: UInt256(2)) == .zero)
    #expect(before.balance(of: address(2)) == .zero)
    #expect(before.blockHash(number: 1) == .zero)

    #expect(after.headNumber == 1)
    #expect(after.balance(of: address(1)) == UInt256(250))
    #expect(after.storage(of: address(1), slot: UInt256(1)) == .zero)
    #expect(after.storage(of: address(1), slot: UInt256(2)) == UInt256(2))
    #expect(after.balance(of: address(2)) == UInt256(7))
  }

  /// A snapshot is handed between threads (MDB_NOTLS); it must keep reading correctly
  /// while the writer commits on another thread.
  @Test func snapshotsReadFromOtherThreadsWhileBlocksCommit() async throws {
    let t = try TempStore()
    defer { t.cleanUp() }
    try t.store.commitBlock(block(0, accountChange(address(1), balance: 0)))
    let store: Store = t.store
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask {
        for n in 1...20 as ClosedRange<UInt64> {
          try store.commitBlock(block(n, accountChange(address(1), balance: n)))
        }
      }
      for _ in 0..<2 {
        group.addTask {
          for _ in 0..<50 {
            let s = try store.stateReader()
            let head = try #require(s.headNumber)
            // Within one snapshot the balance always matches the block it shows.
            #expect(s.balance(of: address(1)) == UInt256(head))
          }
        }
      }
      try await group.waitForAll()
    }
    #expect(try store.headNumber() == 20)
  }

  /// A snapshot keeps the environment open: a request may still be reading when the node
  /// drops its store handle on shutdown.
  @Test func aSnapshotOutlivesItsStoreHandle() throws {
    let t = try TempStore()
    defer { t.cleanUp() }
    let snapshot: StateSnapshot = try {
      let store = try Store.open(path: t.path + "-b", mapSize: 1 << 20)
      try store.commitBlock(block(0, accountChange(address(4), balance: 44)))
      return try store.stateReader()
    }()
    defer { try? FileManager.default.removeItem(atPath: t.path + "-b") }
    #expect(snapshot.balance(of: address(4)) == UInt256(44))
  }
}
