import Synchronization

/// Taking the block's result out of the executor's structures. Done by all workers together
/// once the scheduler reports the block finished, rather than by the caller afterwards: per
/// transaction and per key there is a little work (fold a key's versions, free a read set),
/// and on one thread it added up to a sixth of a 10,000-transaction block's wall time at two
/// workers.
@usableFromInline
final class ResultBuffers<VM: BlockSTMVM>: @unchecked Sendable {
  // @unchecked Sendable is safe: each slot of the three buffers is initialized by exactly
  // one worker, the one that claimed its index through an atomic cursor, and is read by the
  // caller only after every worker has finished its share (`ThreadPool.run` returns once
  // each has counted itself out with a release and the caller has read the count with an
  // acquire), which orders those writes before the reads. The pointers never change.
  @usableFromInline let count: Int
  @usableFromInline let shardCount: Int
  @usableFromInline let collectWrites: Bool
  @usableFromInline let outputs: UnsafeMutablePointer<VM.Output>
  @usableFromInline let writes: UnsafeMutablePointer<[(VM.Key, WriteOp<VM>)]>
  @usableFromInline let shardValues: UnsafeMutablePointer<[(VM.Key, VM.Value)]>
  @usableFromInline let cursors = PaddedSlots<Atomic<Int>>(count: 2, alignment: 128) { _ in Atomic(0) }

  /// Transactions are handed out in chunks, so that claiming one costs less than its work.
  @usableFromInline static var chunk: Int { 64 }

  @inlinable
  init(count: Int, shardCount: Int, collectWrites: Bool) {
    self.count = count
    self.shardCount = shardCount
    self.collectWrites = collectWrites
    outputs = .allocate(capacity: max(count, 1))
    writes = .allocate(capacity: max(count, 1))
    shardValues = .allocate(capacity: shardCount)
  }

  deinit {
    outputs.deallocate()
    writes.deallocate()
    shardValues.deallocate()
  }

  /// Called by every worker after the block is done: moves out the outputs and write sets
  /// of a share of the transactions (moves, no frees) and folds a share of the shards into
  /// final values. (Read sets live in the workers' arenas, freed with them.)
  @inlinable
  func collect(records: LockedSlots<TxnRecord<VM>>, memory: VersionedMemory<VM>) {
    while true {
      let start = cursors[0].pointee.add(Self.chunk, ordering: .relaxed).oldValue
      if start >= count { break }
      for txn in start..<min(start + Self.chunk, count) {
        // Moved out, not copied: a copy retained the output's logs, and the record's
        // destruction released them again.
        let (output, written): (VM.Output?, [(VM.Key, WriteOp<VM>)]) = records.withLock(txn) { record in
          (record.output.take(), collectWrites ? exchange(&record.writes, with: []) : [])
        }
        guard let output else { invariantViolation("txn \(txn) has no output when the block finished") }
        (outputs + txn).initialize(to: output)
        (writes + txn).initialize(to: written)
      }
    }
    while true {
      let shard = cursors[1].pointee.add(1, ordering: .relaxed).oldValue
      if shard >= shardCount { break }
      (shardValues + shard).initialize(to: memory.finalValues(shard: shard))
    }
  }

  /// The assembled result, once every worker has returned from `collect`. Moves the
  /// contents out, so it is called exactly once.
  @inlinable
  func take() -> (outputs: [VM.Output], writes: [[(VM.Key, WriteOp<VM>)]], finalValues: [(VM.Key, VM.Value)]) {
    let outputs = [VM.Output](unsafeUninitializedCapacity: count) { buffer, initialized in
      buffer.baseAddress!.moveInitialize(from: self.outputs, count: count)
      initialized = count
    }
    let writes = [[(VM.Key, WriteOp<VM>)]](unsafeUninitializedCapacity: count) { buffer, initialized in
      buffer.baseAddress!.moveInitialize(from: self.writes, count: count)
      initialized = count
    }
    var total = 0
    for s in 0..<shardCount { total += shardValues[s].count }
    // A flat list, not a dictionary: the caller walks it once to commit, and hashing every
    // key again into a fresh table would be serial work after the parallel part is done.
    var finalValues: [(VM.Key, VM.Value)] = []
    finalValues.reserveCapacity(total)
    for s in 0..<shardCount { finalValues.append(contentsOf: shardValues[s]) }
    shardValues.deinitialize(count: shardCount)
    return (outputs, writes, finalValues)
  }
}
