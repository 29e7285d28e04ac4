import Synchronization

/// A lock-free summary of which keys the transactions of the block have written so far:
/// per slot of key hashes, the lowest transaction that wrote a key hashing there. A reader
/// at transaction `j` that finds the slot's lowest writer at `j` or above has proof that no
/// transaction below it wrote the key, so its read resolves to the pre-state without taking
/// a shard lock or probing a table, and so does its validation while that stays true. That
/// covers most reads of a block: keys nobody writes (the code of the account a transaction
/// calls, a token balance no one else touches), and, at validation, the keys a transaction
/// wrote itself (its sender's nonce and balance), which a one-bit filter could not tell from
/// a lower writer's. These probes were the largest cost of a parallel block.
///
/// Why this keeps Block-STM exact: a writer lowers the slot before it inserts the entry, so
/// a read that finds no lower writer is ordered before that insert, the same as a read that
/// probed the table just before it. Validation of a transaction starts only after every
/// lower incarnation it must see has recorded its writes (the scheduler's sequentially
/// consistent indices order them), so it finds the slot lowered and probes the table as
/// before. A slot is never raised within a block, even when an entry is removed: a slot too
/// low only ever costs a probe.
///
/// Slots hold 16 bits to keep the summary in a core's cache; a transaction index that does
/// not fit is stored as the largest value but one (the largest means no writer), which
/// every reader above it treats as a possible lower writer. A slot is picked by the hash's
/// bits from 8 up, as a shard's bucket is: keys a VM hashes to neighbouring buckets (the
/// EVM: one account's balance, nonce and code) then share a cache line here too.
@usableFromInline
final class WrittenKeys: @unchecked Sendable {
  // @unchecked Sendable is safe: the slots are only accessed through `Atomic` operations,
  // and the pointer and mask never change after init.
  @usableFromInline let slots: UnsafeMutablePointer<Atomic<UInt16>>
  @usableFromInline let count: Int
  /// Slot positions are `hash & slotMask`.
  @usableFromInline let slotMask: Int

  /// No writer yet.
  @usableFromInline static var none: UInt16 { .max }

  /// About two slots per expected key (most blocks write fewer keys than expected, so a
  /// slot is shared by under a quarter of keys), from 4 Ki to 1 Mi slots: a
  /// 10,000-transaction block's summary is 256 KiB.
  @inlinable
  init(expectedKeys: Int) {
    var slotCount = 1 << 12
    while slotCount < 2 * expectedKeys && slotCount < 1 << 20 { slotCount <<= 1 }
    slotMask = slotCount - 1
    count = slotCount
    slots = .allocate(capacity: slotCount)
    for i in 0..<slotCount { (slots + i).initialize(to: Atomic(Self.none)) }
  }

  deinit {
    slots.deinitialize(count: count)
    slots.deallocate()
  }

  /// The slot value for `txn`: indices past 16 bits share the largest value but one, so
  /// that they never read as "no writer".
  @inlinable
  static func clamp(_ txn: TxnIndex) -> UInt16 { UInt16(clamping: min(txn, Int(UInt16.max) - 1)) }

  /// Records that `txn` writes a key with this hash. Must come before the write is inserted
  /// where readers find it.
  @inlinable
  func insert(_ hash: Int, by txn: TxnIndex) {
    let slot = slots + ((hash >> 8) & slotMask)
    let new = Self.clamp(txn)
    var current = slot.pointee.load(ordering: .sequentiallyConsistent)
    while new < current {
      let (exchanged, original) = slot.pointee.weakCompareExchange(
        expected: current, desired: new, ordering: .sequentiallyConsistent)
      if exchanged { return }
      current = original
    }
  }

  /// False only when no transaction below `txn` has inserted a write of a key with this hash.
  @inlinable
  func mayHaveWriter(_ hash: Int, below txn: TxnIndex) -> Bool {
    let lowest = (slots + ((hash >> 8) & slotMask)).pointee.load(ordering: .sequentiallyConsistent)
    // A clamped slot stands for some writer at or above the clamp, which is below `txn`
    // only if the clamp is.
    return lowest != Self.none && Int(lowest) < txn
  }
}
