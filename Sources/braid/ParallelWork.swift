/// A minimal parallel for-loop on plain threads with large stacks, for loading and running
/// state tests. Large stacks because the interpreter recurses once per CALL frame, up to
/// depth 1024, which overflows the default 8 MiB thread stack.
import Foundation
import Synchronization

enum ParallelWork {
  static let defaultStackSize = 256 << 20

  /// Calls `body(i)` for every i in 0..<count, spread over `threads` threads that each pull
  /// the next index from a shared counter (so slow items do not hold up a fixed share).
  /// Returns the results in index order. Runs on fresh threads even when `threads` is 1, to
  /// get the large stack.
  static func map<T: Sendable>(
    count: Int, threads: Int, stackSize: Int = defaultStackSize, _ body: @escaping @Sendable (Int) -> T
  ) -> [T] {
    let shared = Shared<T>(count: count)
    let workers = max(1, min(threads, count))
    let finished = DispatchSemaphore(value: 0)
    for _ in 0..<workers {
      let thread = Thread {
        while true {
          let i = shared.next.wrappingAdd(1, ordering: .relaxed).oldValue
          if i >= count { break }
          let result = body(i)
          shared.results.withLock { $0[i] = result }
        }
        finished.signal()
      }
      thread.stackSize = stackSize
      thread.start()
    }
    for _ in 0..<workers { finished.wait() }
    // Every index below `count` was claimed by exactly one worker, which stored its result.
    return shared.results.withLock { results in results.map { $0! } }
  }

  private final class Shared<T: Sendable>: Sendable {
    let next = Atomic<Int>(0)
    let results: Mutex<[T?]>
    init(count: Int) { results = Mutex([T?](repeating: nil, count: count)) }
  }
}
