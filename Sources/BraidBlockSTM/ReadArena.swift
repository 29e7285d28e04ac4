/// Where one worker keeps the read sets of the incarnations it executes: large chunks that
/// never move, filled one record after another, freed all at once when the block is done.
///
/// A read set per incarnation as its own array cost an allocation when the incarnation
/// started, a free when the block finished, and a fresh stretch of heap in between (the
/// allocator cannot reuse memory that is still held); for a transfer that was as much as
/// its validation. Here an incarnation's reads are a span of the current chunk, which other
/// workers validate through a pointer: the span is published under the transaction's lock
/// once complete, and its records are never written again until the block is done.
@usableFromInline
final class ReadArena<VM: BlockSTMVM>: @unchecked Sendable {
  // @unchecked Sendable is safe: `current`, `capacity`, `used` and `full` are read and
  // written only by the worker that owns the arena (and by `reclaim`, after every worker
  // has been joined). Other workers only read records of completed spans, through
  // pointers published under a transaction lock, and those records are not written again.
  @usableFromInline typealias Record = ReadRecord<VM>

  @usableFromInline var current: UnsafeMutablePointer<Record>?
  @usableFromInline var capacity = 0
  @usableFromInline var used = 0
  /// Chunks filled earlier, with how many records each holds.
  @usableFromInline var full: [(UnsafeMutablePointer<Record>, Int)] = []
  /// Records per chunk; a span longer than that gets a chunk of its own size.
  @usableFromInline let chunkSize: Int

  @inlinable
  init(chunkSize: Int) { self.chunkSize = max(chunkSize, 64) }

  /// Where the next incarnation's reads begin.
  @inlinable
  var mark: Int { used }

  @inlinable
  func append(_ record: consuming Record, spanStart start: inout Int) {
    if used == capacity { newChunk(keeping: &start) }
    (current.unsafelyUnwrapped + used).initialize(to: record)
    used &+= 1
  }

  /// The reads recorded since `start`, as a span that stays valid until `reclaim`.
  @inlinable
  func span(from start: Int) -> UnsafeBufferPointer<Record> {
    guard let current else { return UnsafeBufferPointer(start: nil, count: 0) }
    return UnsafeBufferPointer(start: current + start, count: used - start)
  }

  /// Drops the reads recorded since `start` (an incarnation that ended on an ESTIMATE).
  @inlinable
  func discard(from start: Int) {
    guard let current, used > start else { return }
    (current + start).deinitialize(count: used - start)
    used = start
  }

  /// Starts a new chunk and moves the unfinished span `[start, used)` into it, so that a
  /// span is always contiguous. Nobody else has seen those records yet.
  @inlinable
  func newChunk(keeping start: inout Int) {
    let pending = used - start
    let size = max(chunkSize, 2 * (pending + 1))
    let chunk = UnsafeMutablePointer<Record>.allocate(capacity: size)
    if let current {
      if pending > 0 { chunk.moveInitialize(from: current + start, count: pending) }
      full.append((current, start))
    }
    current = chunk
    capacity = size
    used = pending
    start = 0
  }

  /// Frees every record and chunk. Only once no worker can validate any more.
  @inlinable
  func reclaim() {
    for (chunk, count) in full {
      chunk.deinitialize(count: count)
      chunk.deallocate()
    }
    full = []
    if let current {
      current.deinitialize(count: used)
      current.deallocate()
    }
    current = nil
    capacity = 0
    used = 0
  }

  deinit { reclaim() }
}
