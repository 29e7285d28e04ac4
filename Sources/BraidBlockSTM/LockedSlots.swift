import Synchronization

/// A fixed number of synchronization primitives (`Mutex`, `Atomic`), each on its own cache
/// line. They are non-copyable, so they cannot live in an `Array`; and neighbours are what
/// different workers touch at the same moment (transaction `j` finishing on one core while
/// `j + 1` starts on the other), so packing them tightly would make every lock and flag
/// update bounce a shared cache line between cores.
@usableFromInline
final class PaddedSlots<Element: ~Copyable>: @unchecked Sendable {
  // @unchecked Sendable is safe because Element is only ever a Mutex or an Atomic (every
  // access synchronizes itself), `base`, `stride` and `count` never change after init, and
  // the memory is freed only in deinit, when no thread can hold a reference.
  @usableFromInline let base: UnsafeMutableRawPointer
  @usableFromInline let stride: Int
  @usableFromInline let count: Int

  @inlinable
  init(count: Int, alignment: Int = 64, initial: (Int) -> Element) {
    precondition(count >= 0, "PaddedSlots: negative count \(count)")
    self.count = count
    stride = (MemoryLayout<Element>.stride + alignment - 1) / alignment * alignment
    base = .allocate(byteCount: max(count, 1) * stride, alignment: alignment)
    for i in 0..<count {
      (base + i * stride).bindMemory(to: Element.self, capacity: 1).initialize(to: initial(i))
    }
  }

  /// Whether the elements still need destroying; see `destroyAll`.
  @usableFromInline var live = true

  deinit {
    if live {
      for i in 0..<count { self[i].deinitialize(count: 1) }
    }
    base.deallocate()
  }

  /// Destroys every element ahead of deinit, which cannot be inlined and so destroys them
  /// through unspecialized generic code, tens of nanoseconds each: a millisecond for the
  /// per-transaction slots of a large block. Only once no other thread uses the slots.
  @inlinable
  func destroyAll() {
    precondition(live, "PaddedSlots.destroyAll called twice")
    for i in 0..<count { self[i].deinitialize(count: 1) }
    live = false
  }

  @inlinable
  subscript(_ i: Int) -> UnsafeMutablePointer<Element> {
    precondition(i >= 0 && i < count, "PaddedSlots: index \(i) outside 0..<\(count)")
    return (base + i &* stride).assumingMemoryBound(to: Element.self)
  }
}

/// Independently locked values: one per transaction (its status, its last read and write
/// sets) or one per shard of versioned memory.
@usableFromInline
final class LockedSlots<Element: Sendable>: Sendable {
  @usableFromInline let slots: PaddedSlots<Mutex<Element>>

  @inlinable
  init(count: Int, initial: (Int) -> Element) {
    slots = PaddedSlots(count: count) { Mutex(initial($0)) }
  }

  @inlinable
  var count: Int { slots.count }

  /// See `PaddedSlots.destroyAll`.
  @inlinable
  func destroyAll() { slots.destroyAll() }

  @inlinable
  func withLock<R>(_ i: Int, _ body: (inout sending Element) -> sending R) -> sending R {
    slots[i].pointee.withLock(body)
  }
}

/// One atomic flag per transaction, for a state other workers poll: loading a flag is cheaper
/// than taking a lock and does not disturb the lock's owner.
@usableFromInline
final class AtomicFlags: Sendable {
  @usableFromInline let slots: PaddedSlots<Atomic<Bool>>

  @inlinable
  init(count: Int) { slots = PaddedSlots(count: count) { _ in Atomic(false) } }

  @inlinable
  func load(_ i: Int) -> Bool { slots[i].pointee.load(ordering: .acquiring) }

  @inlinable
  func store(_ i: Int, _ value: Bool) { slots[i].pointee.store(value, ordering: .releasing) }

  /// See `PaddedSlots.destroyAll`.
  @inlinable
  func destroyAll() { slots.destroyAll() }
}
