import Synchronization

/// A lock-free summary of which keys any transaction of the block has written so far: one
/// bit per key hash (a Bloom filter with one probe). A clear bit proves that nobody has
/// written the key, so a read of it resolves to the pre-state without taking a shard lock
/// or probing a table, and so does its validation while the bit stays clear. Most keys a
/// block reads (a sender's nonce, the code of the account it calls, a token balance no one
/// else touches) are written by no lower transaction, and these probes were the largest
/// cost of a parallel block.
///
/// Why this keeps Block-STM exact: a writer sets the bit before it inserts the entry, so a
/// read that finds the bit clear is ordered before that insert, the same as a read that
/// probed the table just before it. Validation of a transaction starts only after every
/// lower incarnation it must see has recorded its writes (the scheduler's sequentially
/// consistent indices order them), so it finds their bits set and probes the table as
/// before. Bits are never cleared within a block: a set bit only ever costs a probe.
@usableFromInline
final class WrittenKeys: @unchecked Sendable {
  // @unchecked Sendable is safe: the words are only accessed through `Atomic` operations,
  // and the pointer and mask never change after init.
  @usableFromInline let words: UnsafeMutablePointer<Atomic<UInt64>>
  @usableFromInline let count: Int
  /// Bit positions are `hash & bitMask`.
  @usableFromInline let bitMask: Int

  /// About 16 bits per expected key, so that few keys share a bit (under 10% of reads of
  /// unwritten keys take the slow path when the expectation holds), from 4 Ki to 4 Mi bits:
  /// a 10,000-transaction block's filter is 128 KiB, which stays in a core's cache.
  @inlinable
  init(expectedKeys: Int) {
    var bits = 1 << 12
    while bits < 16 * expectedKeys && bits < 1 << 22 { bits <<= 1 }
    bitMask = bits - 1
    count = bits / 64
    words = .allocate(capacity: count)
    for i in 0..<count { (words + i).initialize(to: Atomic(0)) }
  }

  deinit {
    words.deinitialize(count: count)
    words.deallocate()
  }

  /// Marks `hash` written. Must come before the write is inserted where readers find it.
  @inlinable
  func insert(_ hash: Int) {
    let bit = hash & bitMask
    let mask = UInt64(1) << UInt64(bit & 63)
    let word = words + (bit >> 6)
    if word.pointee.load(ordering: .sequentiallyConsistent) & mask == 0 {
      word.pointee.bitwiseOr(mask, ordering: .sequentiallyConsistent)
    }
  }

  /// False only when no write of a key with this hash has been inserted yet.
  @inlinable
  func mayContain(_ hash: Int) -> Bool {
    let bit = hash & bitMask
    return (words + (bit >> 6)).pointee.load(ordering: .sequentiallyConsistent) & (UInt64(1) << UInt64(bit & 63)) != 0
  }
}
