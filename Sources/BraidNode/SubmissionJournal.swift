/// The submission journal's writer: accepted transactions become durable here before their
/// hash is returned, many submissions to one fsync (group commit).
///
/// Submitters (the HTTP event loops, several at once, and a JSON-RPC batch submitting many
/// in a row) only enqueue and return; one committer thread takes everything queued, writes
/// it in one LMDB write transaction (whose commit syncs), tells the mempool the entries are
/// durable, then answers every submitter of the batch. While it syncs, new submissions
/// queue up for the next batch, so under load a sync is shared by however many arrived
/// during the previous one. No pool lock is held across the sync.
import BraidPrimitives
import BraidStorage
import Dispatch
import Foundation
import Synchronization

final class SubmissionJournal: Sendable {
  struct Entry: Sendable {
    let raw: Bytes
    let hash: Hash32
    let done: @Sendable () -> Void
  }

  private struct Queue {
    var entries: [Entry] = []
    var stopping = false
  }

  private let store: Store
  private let mempool: Mempool
  private let queue = Mutex(Queue())
  private let ready = DispatchSemaphore(value: 0)
  private let stopped = DispatchSemaphore(value: 0)
  /// Called after each batch with its size and the time its write and sync took.
  private let onBatch: @Sendable (Int, Duration) -> Void

  init(store: Store, mempool: Mempool, onBatch: @escaping @Sendable (Int, Duration) -> Void = { _, _ in }) {
    self.store = store
    self.mempool = mempool
    self.onBatch = onBatch
    let thread = Thread { [self] in
      loop()
      stopped.signal()
    }
    thread.name = "braid-journal"
    thread.start()
  }

  /// Queues `raw` (already admitted to the pool as `hash`); `done` runs on the committer
  /// thread once the entry is durable.
  func append(raw: Bytes, hash: Hash32, done: @escaping @Sendable () -> Void) {
    queue.withLock { $0.entries.append(Entry(raw: raw, hash: hash, done: done)) }
    ready.signal()
  }

  /// Writes what is queued, then stops the committer thread.
  func stop() {
    let first = queue.withLock { q in
      defer { q.stopping = true }
      return !q.stopping
    }
    guard first else { return }
    ready.signal()
    stopped.wait()
  }

  private func loop() {
    let clock = ContinuousClock()
    while true {
      ready.wait()
      let (batch, stopping) = queue.withLock { q in
        defer { q.entries = [] }
        return (q.entries, q.stopping)
      }
      if !batch.isEmpty {
        let started = clock.now
        let last: UInt64
        do {
          last = try store.appendJournal(batch.map(\.raw))
        } catch {
          // The node cannot keep its promise that an accepted transaction survives a
          // crash; answering "accepted" would be a lie and refusing leaves the pool
          // holding transactions no block may take. Stop, with the reason.
          fatalError("braid: the submission journal cannot be written: \(error)")
        }
        let first = last - UInt64(batch.count) + 1
        mempool.markJournaled(batch.enumerated().map { (hash: $1.hash, sequence: first + UInt64($0)) })
        onBatch(batch.count, clock.now - started)
        for entry in batch { entry.done() }
      }
      if stopping { return }
    }
  }
}
