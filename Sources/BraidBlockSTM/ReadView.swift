/// Read-set capture: the view one incarnation reads through, and what it remembers of those
/// reads so that validation can check them again later.

/// A completed read set: a span of its worker's `ReadArena`.
@usableFromInline
struct ReadSpan<VM: BlockSTMVM>: @unchecked Sendable {
  // @unchecked Sendable is safe: a span is handed to other threads only once complete
  // (published under its transaction's lock), its records are never written again, and the
  // arena frees them only after every worker has been joined.
  @usableFromInline let records: UnsafeBufferPointer<ReadRecord<VM>>

  @inlinable init(_ records: UnsafeBufferPointer<ReadRecord<VM>>) { self.records = records }
  @inlinable init() { records = UnsafeBufferPointer(start: nil, count: 0) }
}

/// One read of an incarnation: the key and the value it resolved to. Validation is by value:
/// the read is still good if the key resolves to an equal value now.
@usableFromInline
struct ReadRecord<VM: BlockSTMVM>: Sendable {
  @usableFromInline var key: HashedKey<VM.Key>
  @usableFromInline var value: VM.Value
  /// Resolved to the pre-state: nothing below had written the key.
  @usableFromInline var fromStorage: Bool

  @inlinable
  init(key: HashedKey<VM.Key>, value: VM.Value, fromStorage: Bool) {
    self.key = key
    self.value = value
    self.fromStorage = fromStorage
  }
}

/// Passed inout to the VM for one incarnation: resolves reads against versioned memory
/// (highest write by a lower txn; deltas folded down to the nearest full value or storage),
/// records the read set for validation (the resolved value; validation re-resolves and
/// compares with ==), and reports ESTIMATE hits.
///
/// The view does not see the transaction's own writes; a VM that reads a key after writing it
/// serves that read itself. Every call to `read` is recorded, so a VM that reads one key many
/// times should keep the first answer rather than ask again. A view is valid only during the
/// `execute` call it was passed to: it holds unretained references to the executor's state,
/// so a copy kept beyond that call must never be used.
public struct ReadView<VM: BlockSTMVM> {
  // Unmanaged: a view lives only for one call of `BlockSTMVM.execute` (the VM gets it inout
  // and must not keep a copy beyond that call), while the memory, scheduler or sequential
  // state it points to outlives every such call. Strong references would cost a retain and a
  // release per read, on reference counts that all workers share.
  @usableFromInline let memory: Unmanaged<VersionedMemory<VM>>?
  @usableFromInline let scheduler: Unmanaged<Scheduler>?
  @usableFromInline let committed: Unmanaged<CommittedState<VM>>?
  /// The transaction this view reads for.
  public let txn: TxnIndex
  @usableFromInline var blocker: TxnIndex?
  /// Where this incarnation's reads are recorded: its worker's arena, from `start` on.
  @usableFromInline let arena: Unmanaged<ReadArena<VM>>?
  @usableFromInline var start: Int
  /// Times a read waited for a transaction being executed below (see `BlockSTMStats`).
  @usableFromInline var estimateWaits = 0
  @usableFromInline var predictedWaits = 0
  /// Waits that spent the whole budget and still had to suspend (see `Executor.execute`).
  @usableFromInline var waitsInVain = 0

  /// A view for Block-STM: speculative reads, recorded for validation.
  @inlinable
  init(memory: VersionedMemory<VM>, scheduler: Scheduler, txn: TxnIndex, arena: ReadArena<VM>) {
    self.memory = Unmanaged.passUnretained(memory)
    self.scheduler = Unmanaged.passUnretained(scheduler)
    committed = nil
    self.txn = txn
    blocker = nil
    self.arena = Unmanaged.passUnretained(arena)
    start = arena.mark
  }

  /// A view for the sequential reference: reads the state every earlier transaction committed.
  @inlinable
  init(committed: CommittedState<VM>, txn: TxnIndex) {
    memory = nil
    scheduler = nil
    self.committed = Unmanaged.passUnretained(committed)
    self.txn = txn
    blocker = nil
    arena = nil
    start = 0
  }

  /// The value of `key` as this transaction sees it, or nil when a lower transaction's write
  /// there is an ESTIMATE (or is predicted, see `BlockSTMOptions.waitForPredecessorWrites`):
  /// the VM must then stop and return `.dependency`.
  @inlinable
  public mutating func read(_ key: VM.Key) -> VM.Value? {
    guard let memory else {
      return committed.unsafelyUnwrapped._withUnsafeGuaranteedRef { $0.read(key) }
    }
    let scheduler = self.scheduler.unsafelyUnwrapped
    let hashed = memory._withUnsafeGuaranteedRef { $0.hashed(key) }
    var predictionChecked = !scheduler._withUnsafeGuaranteedRef { $0.options.waitForPredecessorWrites }
    while true {
      let predict = !predictionChecked
      switch memory._withUnsafeGuaranteedRef({ $0.read(hashed, by: txn, predict: predict) }) {
      case .value(let value, let predecessorLikelyWrites, let fromStorage):
        predictionChecked = true
        if predecessorLikelyWrites {
          // The predecessor will probably write this key and has not yet: a learned
          // ESTIMATE, for a first incarnation that has left none. Rather than run on a value
          // that validation will reject, wait for it if it is being executed, and otherwise
          // treat it like an ESTIMATE, unless it has executed already (then it does not
          // write here, and the value stands).
          let predecessor = txn - 1
          switch scheduler._withUnsafeGuaranteedRef({ $0.waitWhileExecuting(predecessor) }) {
          case .finished:
            predictedWaits &+= 1
            continue
          case .stillRunning:
            noteWaitInVain(scheduler)
            self.blocker = predecessor
            return nil
          case .notRunning:
            if !scheduler._withUnsafeGuaranteedRef({ $0.isExecuted(predecessor) }) {
              noteWaitInVain(scheduler)
              self.blocker = predecessor
              return nil
            }
          }
        }
        var spanStart = start
        arena.unsafelyUnwrapped._withUnsafeGuaranteedRef {
          $0.append(ReadRecord(key: hashed, value: value, fromStorage: fromStorage), spanStart: &spanStart)
        }
        start = spanStart
        return value
      case .estimate(let blocker):
        // A blocker being executed right now is about to replace its ESTIMATE: waiting for it
        // keeps this incarnation's work, where suspending would throw it away.
        let waits = scheduler._withUnsafeGuaranteedRef { $0.options.waitForExecutingBlockers }
        let finished = waits && scheduler._withUnsafeGuaranteedRef { $0.waitWhileExecuting(blocker) == .finished }
        guard finished else {
          if waits { noteWaitInVain(scheduler) }
          self.blocker = blocker
          return nil
        }
        estimateWaits &+= 1
      }
    }
  }

  /// With a wait budget, a wait that did not end in `.finished` spent all of it.
  @inlinable
  mutating func noteWaitInVain(_ scheduler: Unmanaged<Scheduler>) {
    if scheduler._withUnsafeGuaranteedRef({ $0.waitBudget > .zero }) { waitsInVain &+= 1 }
  }

  /// The transaction whose ESTIMATE a read hit; nil while every read succeeded.
  @inlinable
  public var blockingTxn: TxnIndex? { blocker }

  /// How many reads this incarnation has made so far.
  @inlinable
  public var readCount: Int {
    guard let committed else { return arena.unsafelyUnwrapped._withUnsafeGuaranteedRef { $0.mark } - start }
    return committed._withUnsafeGuaranteedRef { $0.readsSinceReset }
  }

  /// The reads recorded so far, in the worker's arena (Block-STM views only).
  @inlinable
  var recordedReads: ReadSpan<VM> {
    ReadSpan(arena.unsafelyUnwrapped._withUnsafeGuaranteedRef { $0.span(from: start) })
  }

  /// Forgets the reads of an incarnation that ended on an ESTIMATE.
  @inlinable
  func discardReads() {
    arena.unsafelyUnwrapped._withUnsafeGuaranteedRef { $0.discard(from: start) }
  }
}

/// The state of the sequential reference executor: each transaction's writes are applied in
/// turn, and the next transaction reads the result. Deliberately independent of
/// `VersionedMemory`, so that the property tests compare two different implementations.
@usableFromInline
final class CommittedState<VM: BlockSTMVM> {
  @usableFromInline let vm: VM
  @usableFromInline var values: [VM.Key: VM.Value] = [:]
  @usableFromInline var readsSinceReset = 0

  @inlinable
  init(vm: VM) { self.vm = vm }

  @inlinable
  func read(_ key: VM.Key) -> VM.Value {
    readsSinceReset &+= 1
    return values[key] ?? vm.storageValue(key)
  }

  @inlinable
  func apply(_ writes: [(VM.Key, WriteOp<VM>)]) {
    for (key, op) in writes {
      switch op {
      case .value(let value): values[key] = value
      case .delta(let delta): values[key] = VM.apply(delta, to: values[key] ?? vm.storageValue(key))
      }
    }
  }
}
