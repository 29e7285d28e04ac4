import BraidStorage
import Foundation
import Testing

/// Two stores on one directory would each think they own the head and the journal: the
/// second open must fail with a reason, and succeed once the first store is gone.
struct DataDirectoryLockTests {
  @Test func secondOpenOfADirectoryIsRefusedUntilTheFirstCloses() throws {
    var temp = try TempStore()
    defer { temp.cleanUp() }
    #expect(throws: LMDBError.directoryInUse(path: temp.path)) { _ = try Store.open(path: temp.path, mapSize: 1 << 30) }
    try temp.reopen()
    #expect(temp.store != nil)
  }
}
