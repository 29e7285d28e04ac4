import Synchronization

/// A fixed number of atomics, each on its own cache line. They are non-copyable, so they
/// cannot live in an `Array`; and neighbours are what different workers touch at the same
/// moment (transaction `j` finishing on one core while `j + 1` starts on the other), so
/// packing them tightly would make every flag update bounce a shared cache line between
/// cores.
@usableFromInline
final class PaddedSlots<Element: ~Copyable>: @unchecked Sendable {
  // @unchecked Sendable is safe because Element is only ever an Atomic (every access
  // synchronizes itself), `base`, `stride` and `count` never change after init, and
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
/// sets) or one per shard of versioned memory. Each value sits on the cache lines of its
/// own lock word, so taking the lock brings the value in with it.
///
/// Not `Mutex`: on Linux a contended `Mutex` spins a thousand times before it blocks in a
/// priority-inheritance futex, tens of microseconds per acquisition. Block-STM holds these
/// locks for a table probe or a status change, far shorter than that, and when a holder
/// is slow it is because it was descheduled (more workers than cores, or another process
/// on the core), when spinning only keeps it off the core: with sixteen workers on two
/// cores, `Mutex`'s spin took 15% of all samples of a quiet run and 44% of the workers' in
/// a loaded one (perf). Here a waiter spins briefly, then yields, then naps (`Backoff`),
/// which gives the holder the core back.
@usableFromInline
final class LockedSlots<Element: Sendable>: @unchecked Sendable {
  // @unchecked Sendable is safe: value i is read or written only by the thread holding lock
  // word i (an acquiring exchange to take it, a releasing store to drop it, so each
  // holder sees what the previous one wrote); the pointer, offsets and count never change
  // after init; elements are destroyed only in `destroyAll` or deinit, once no other
  // thread uses the slots.
  @usableFromInline let base: UnsafeMutableRawPointer
  @usableFromInline let stride: Int
  @usableFromInline let valueOffset: Int
  @usableFromInline let count: Int
  /// Whether the elements still need destroying; see `destroyAll`.
  @usableFromInline var live = true

  @inlinable
  init(count: Int, initial: (Int) -> Element) {
    precondition(count >= 0, "LockedSlots: negative count \(count)")
    self.count = count
    let align = MemoryLayout<Element>.alignment
    valueOffset = (MemoryLayout<Atomic<UInt32>>.size + align - 1) / align * align
    stride = (valueOffset + MemoryLayout<Element>.size + 63) / 64 * 64
    base = .allocate(byteCount: max(count, 1) * stride, alignment: max(64, align))
    for i in 0..<count {
      (base + i * stride).bindMemory(to: Atomic<UInt32>.self, capacity: 1).initialize(to: Atomic(0))
      (base + i * stride + valueOffset).bindMemory(to: Element.self, capacity: 1).initialize(to: initial(i))
    }
  }

  deinit {
    if live { destroyValues() }
    base.deallocate()
  }

  /// Destroys every element ahead of deinit, which cannot be inlined and so destroys them
  /// through unspecialized generic code, tens of nanoseconds each: a millisecond for the
  /// per-transaction slots of a large block. Only once no other thread uses the slots.
  @inlinable
  func destroyAll() {
    precondition(live, "LockedSlots.destroyAll called twice")
    destroyValues()
    live = false
  }

  @inlinable
  func destroyValues() {
    for i in 0..<count {
      lockWord(i).deinitialize(count: 1)
      value(i).deinitialize(count: 1)
    }
  }

  @inlinable
  func lockWord(_ i: Int) -> UnsafeMutablePointer<Atomic<UInt32>> {
    (base + i &* stride).assumingMemoryBound(to: Atomic<UInt32>.self)
  }

  @inlinable
  func value(_ i: Int) -> UnsafeMutablePointer<Element> {
    (base + (i &* stride &+ valueOffset)).assumingMemoryBound(to: Element.self)
  }

  @inlinable
  func withLock<R>(_ i: Int, _ body: (inout Element) -> R) -> R {
    precondition(i >= 0 && i < count, "LockedSlots: index \(i) outside 0..<\(count)")
    let word = lockWord(i)
    if !word.pointee.compareExchange(expected: 0, desired: 1, ordering: .acquiring).exchanged {
      Self.lockSlow(word)
    }
    defer { word.pointee.store(0, ordering: .releasing) }
    return body(&value(i).pointee)
  }

  @usableFromInline @inline(never)
  static func lockSlow(_ word: UnsafeMutablePointer<Atomic<UInt32>>) {
    var wait = Backoff(spinLimit: 64)
    while true {
      wait.pause()
      if word.pointee.load(ordering: .relaxed) == 0
        && word.pointee.compareExchange(expected: 0, desired: 1, ordering: .acquiring).exchanged
      {
        return
      }
    }
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
