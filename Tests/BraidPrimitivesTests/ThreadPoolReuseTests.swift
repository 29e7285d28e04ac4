@testable import BraidPrimitives
import Synchronization
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Block-STM's worker threads outlive a block (`ThreadPool`): every share of a run runs once,
/// blocks running at the same time never share a thread, a thread is reused by the next
/// block, and nothing a block's body captured is kept alive by a parked thread.
struct ThreadPoolReuseTests {
  /// A stack size no other test uses, so that these tests' threads are their own.
  static func privateStackSize(_ k: Int) -> Int { (3 << 20) + k * 4096 }

  @Test func everyShareRunsOnceUnderConcurrentRuns() async {
    let pool = ThreadPool()
    await withTaskGroup(of: Bool.self) { group in
      for caller in 0..<4 {
        group.addTask {
          var allOnce = true
          for round in 0..<50 {
            let count = 1 + (caller + round) % 5
            let runs = Mutex([Int](repeating: 0, count: count))
            let threads = Mutex(Set<UInt>())
            pool.run(count: count, stackSize: Self.privateStackSize(1)) { k in
              runs.withLock { $0[k] += 1 }
              threads.withLock { _ = $0.insert(UInt(bitPattern: Int(bitPattern: pthread_self()))) }
            }
            allOnce = allOnce && runs.withLock { $0 } == [Int](repeating: 1, count: count)
            // Disjoint threads: as many as shares, even with other runs going on at once.
            allOnce = allOnce && threads.withLock { $0.count } == count
          }
          return allOnce
        }
      }
      for await allOnce in group { #expect(allOnce) }
    }
  }

  @Test func aParkedThreadRunsTheNextBlock() {
    let pool = ThreadPool()
    let seen = Mutex<[UInt]>([])
    for _ in 0..<3 {
      pool.run(count: 1, stackSize: Self.privateStackSize(2)) { _ in
        seen.withLock { $0.append(UInt(bitPattern: Int(bitPattern: pthread_self()))) }
      }
    }
    let threads = seen.withLock { $0 }
    #expect(threads.count == 3)
    #expect(Set(threads).count == 1)
    #expect(pool.idle.withLock { $0[Self.privateStackSize(2)]?.count } == 1)
  }

  final class Captured: Sendable {}

  @Test func whatTheBodyCapturedIsReleasedOnReturn() {
    let pool = ThreadPool()
    for count in [1, 2, 4] {
      weak var released: Captured? = nil
      do {
        let captured = Captured()
        released = captured
        pool.run(count: count, stackSize: Self.privateStackSize(3)) { _ in _ = captured }
      }
      // The pool's threads are parked now, and must not hold the body (Block-STM's executor,
      // which holds the pre-state: alive, it makes the caller's commit copy the state).
      #expect(released == nil)
    }
  }
}
