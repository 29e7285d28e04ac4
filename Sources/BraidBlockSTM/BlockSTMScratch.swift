import Synchronization

/// The scratch memory of a finished block: versioned memory, read and write sets and the
/// per-transaction records, tens of thousands of allocations for a large block. Freeing it
/// costs about a tenth of the block's execution, work nobody waits for, so it is done on a
/// background thread at the lowest priority. But a thread at any priority still takes
/// memory bandwidth and the allocator's locks: freeing it while the caller hashes the state
/// root made the root of a 10,000-transaction ERC-20 block take 8-10 ms instead of 5. A
/// caller with such work to do next asks for the scratch back
/// (`BlockSTMOptions.deferScratchRelease`) and releases it afterwards. Released once;
/// dropped unreleased, it is freed on the thread that drops it.
public final class BlockSTMScratch: Sendable {
  @usableFromInline let reclaim: Mutex<(@Sendable () -> Void)?>

  @usableFromInline
  init(_ reclaim: @escaping @Sendable () -> Void) { self.reclaim = Mutex(reclaim) }

  @usableFromInline
  func take() -> (@Sendable () -> Void)? { reclaim.withLock { r in defer { r = nil }; return r } }

  /// Adds `value` to what the release frees. A caller done with a large part of the result
  /// (the final values of a 10,000-transaction block, twenty thousand keys and values) has
  /// it destroyed off its thread too: destroying it there cost a pass over memory long
  /// since evicted, serial, after every worker had finished. The value rides in the release
  /// closure, which is destroyed on the thread that runs it.
  public func keep<T: Sendable>(_ value: consuming T) {
    let kept = value
    reclaim.withLock { r in
      guard let free = r else { return }
      r = {
        free()
        _ = kept
      }
    }
  }

  /// Frees the scratch on a new background thread at the lowest priority.
  public func releaseInBackground() {
    guard let free = take() else { return }
    WorkerThreads.detached(free) {
      WorkerThreads.lowerCurrentThreadPriority()
      $0()
    }
  }

  deinit { take()?() }
}
