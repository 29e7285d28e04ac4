import Synchronization

/// A fixed number of independently locked values: one per transaction (its status, its last
/// read and write sets) or one per shard of versioned memory. `Mutex` is non-copyable, so it
/// cannot live in an `Array`; the slots live in one allocation instead.
@usableFromInline
final class LockedSlots<Element: Sendable>: @unchecked Sendable {
  // @unchecked Sendable is safe: `base` and `count` never change after init, the memory is
  // freed only in deinit (when no thread can hold a reference), and every element is read
  // and written only inside its own Mutex.
  @usableFromInline let base: UnsafeMutablePointer<Mutex<Element>>
  @usableFromInline let count: Int

  @inlinable
  init(count: Int, initial: (Int) -> Element) {
    precondition(count >= 0, "LockedSlots: negative count \(count)")
    self.count = count
    base = .allocate(capacity: max(count, 1))
    for i in 0..<count { (base + i).initialize(to: Mutex(initial(i))) }
  }

  deinit {
    base.deinitialize(count: count)
    base.deallocate()
  }

  @inlinable
  func withLock<R>(_ i: Int, _ body: (inout sending Element) -> sending R) -> sending R {
    precondition(i >= 0 && i < count, "LockedSlots: index \(i) outside 0..<\(count)")
    return base[i].withLock(body)
  }
}
