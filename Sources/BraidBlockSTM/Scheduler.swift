import Synchronization

/// The collaborative scheduler: hands out execution and validation tasks to whichever worker
/// asks, always preferring the lowest transaction, and detects when the block is finished.
///
/// Per-transaction status (the incarnation number `i` travels with it):
///
/// ```
///                   try_incarnate                   finish_execution
///   ReadyToExecute(i) ──────────► Executing(i) ───────────────────► Executed(i)
///          ▲                           │                                 │
///          │                           │ read an ESTIMATE whose writer   │ validation found
///          │ set_ready_status          │ nobody is executing: suspended  │ a stale read and
///          │ (i becomes i + 1)         │ among that writer's dependents  │ won the abort
///          │                           ▼                                 │
///          └───────────────────── Aborting(i) ◄──────────────────────────┘
///            once the blocker has executed again (resume_dependencies),
///            or straight after a validation abort (finish_validation)
/// ```
///
/// So a suspended transaction goes Executing(i) → Aborting(i) → ReadyToExecute(i+1): its
/// incarnation ends without writing anything, and the next one starts once the blocker has
/// executed again. If the blocker is already Executed when the ESTIMATE is reported, there is
/// nothing to wait for and the same incarnation simply runs again. A read that waits in place
/// for a lower transaction being executed (see the module documentation) stays Executing(i)
/// throughout.
///
/// Shared counters (all sequentially consistent; the proofs in the paper assume it):
/// - `executionIdx`: the next transaction to try to execute. Every transaction below it has
///   been executed at least once or is being (re-)executed by someone.
/// - `validationIdx`: the next transaction to validate. Lowered after an abort (everything
///   above the aborted transaction must be validated again) and after an execution that wrote
///   a key its previous incarnation did not.
/// - `decreaseCnt`: bumped on every lowering, so `checkDone` can tell that no index moved
///   back while it looked.
/// - `numActiveTasks`: tasks handed out and not yet finished. The block is done when both
///   indices are past the end, no task is in flight and no index was lowered meanwhile.
@usableFromInline
final class Scheduler: Sendable {
  @usableFromInline
  enum Status: Sendable {
    case readyToExecute, executing, executed, aborting
  }

  @usableFromInline
  struct TxnState: Sendable {
    @usableFromInline var incarnation: Incarnation = 0
    @usableFromInline var status: Status = .readyToExecute
    /// Transactions suspended on an ESTIMATE this transaction left (or on a write predicted of
    /// it); resumed when it executes.
    @usableFromInline var dependents: [TxnIndex] = []

    @inlinable init() {}
  }

  @usableFromInline
  enum Task: Sendable {
    case execute(Version)
    case validate(Version)
  }

  @usableFromInline let count: Int
  /// The shared counters, each on its own pair of cache lines: every task touches some of
  /// them, and if they shared a line each update would evict it from the other cores for
  /// all four.
  @usableFromInline let counters = PaddedSlots<Atomic<Int>>(count: 4, alignment: 128) { _ in Atomic(0) }
  @usableFromInline let doneFlag = PaddedSlots<Atomic<Bool>>(count: 1, alignment: 128) { _ in Atomic(false) }
  @inlinable var executionIdx: UnsafeMutablePointer<Atomic<Int>> { counters[0] }
  @inlinable var validationIdx: UnsafeMutablePointer<Atomic<Int>> { counters[1] }
  @inlinable var decreaseCnt: UnsafeMutablePointer<Atomic<Int>> { counters[2] }
  @inlinable var numActiveTasks: UnsafeMutablePointer<Atomic<Int>> { counters[3] }
  @inlinable var doneMarker: UnsafeMutablePointer<Atomic<Bool>> { doneFlag[0] }
  @usableFromInline let states: LockedSlots<TxnState>
  /// Mirrors `status == .executing` for each transaction, for readers waiting on one.
  @usableFromInline let executing: AtomicFlags
  /// How long an idle worker spins before it yields the core (see `Backoff`).
  @usableFromInline let idleSpins: Int
  /// How long a read waits for a transaction being executed below before suspending.
  @usableFromInline let waitBudget: Duration
  @usableFromInline let options: BlockSTMOptions

  @inlinable
  init(count: Int, workers: Int, options: BlockSTMOptions) {
    self.count = count
    self.options = options
    states = LockedSlots(count: count) { _ in TxnState() }
    executing = AtomicFlags(count: count)
    let oversubscribed = workers > CPUBudget.cores
    // A few microseconds of spinning for a task: most gaps are shorter than that.
    idleSpins = oversubscribed ? 16 : 1 << 10
    waitBudget = options.waitBudget ?? (oversubscribed ? .zero : .microseconds(20))
    if count == 0 { doneMarker.pointee.store(true, ordering: .sequentiallyConsistent) }
  }

  @inlinable
  var done: Bool { doneMarker.pointee.load(ordering: .sequentiallyConsistent) }

  /// The next task for an idle worker, or nil when there is nothing to do right now.
  @inlinable
  func nextTask() -> Task? {
    if validationIdx.pointee.load(ordering: .sequentiallyConsistent)
      < executionIdx.pointee.load(ordering: .sequentiallyConsistent)
    {
      if let version = nextVersionToValidate() { return .validate(version) }
    } else {
      if let version = nextVersionToExecute() { return .execute(version) }
    }
    return nil
  }

  @inlinable
  func checkDone() {
    let observed = decreaseCnt.pointee.load(ordering: .sequentiallyConsistent)
    if min(
      executionIdx.pointee.load(ordering: .sequentiallyConsistent),
      validationIdx.pointee.load(ordering: .sequentiallyConsistent)) >= count
      && numActiveTasks.pointee.load(ordering: .sequentiallyConsistent) == 0
      && observed == decreaseCnt.pointee.load(ordering: .sequentiallyConsistent)
    {
      doneMarker.pointee.store(true, ordering: .sequentiallyConsistent)
    }
  }

  /// Claims `txn` for execution if it is ReadyToExecute; otherwise gives back the active task
  /// the caller counted for it.
  @inlinable
  func tryIncarnate(_ txn: TxnIndex) -> Version? {
    if txn < count {
      let version: Version? = states.withLock(txn) { state in
        guard state.status == .readyToExecute else { return nil }
        state.status = .executing
        executing.store(txn, true)
        return Version(txn: txn, incarnation: state.incarnation)
      }
      if let version { return version }
    }
    numActiveTasks.pointee.subtract(1, ordering: .sequentiallyConsistent)
    return nil
  }

  @inlinable
  func nextVersionToExecute() -> Version? {
    if executionIdx.pointee.load(ordering: .sequentiallyConsistent) >= count {
      checkDone()
      return nil
    }
    numActiveTasks.pointee.add(1, ordering: .sequentiallyConsistent)
    let txn = executionIdx.pointee.add(1, ordering: .sequentiallyConsistent).oldValue
    return tryIncarnate(txn)
  }

  @inlinable
  func nextVersionToValidate() -> Version? {
    if validationIdx.pointee.load(ordering: .sequentiallyConsistent) >= count {
      checkDone()
      return nil
    }
    numActiveTasks.pointee.add(1, ordering: .sequentiallyConsistent)
    let txn = validationIdx.pointee.add(1, ordering: .sequentiallyConsistent).oldValue
    if txn < count {
      let version: Version? = states.withLock(txn) { state in
        state.status == .executed ? Version(txn: txn, incarnation: state.incarnation) : nil
      }
      if let version { return version }
    }
    numActiveTasks.pointee.subtract(1, ordering: .sequentiallyConsistent)
    return nil
  }

  @inlinable
  func decreaseExecutionIdx(to target: TxnIndex) {
    executionIdx.pointee.min(target, ordering: .sequentiallyConsistent)
    decreaseCnt.pointee.add(1, ordering: .sequentiallyConsistent)
  }

  @inlinable
  func decreaseValidationIdx(to target: TxnIndex) {
    validationIdx.pointee.min(target, ordering: .sequentiallyConsistent)
    decreaseCnt.pointee.add(1, ordering: .sequentiallyConsistent)
  }

  /// Parks `txn` (Executing) until `blocker` executes again. Returns false when the blocker
  /// is already Executed: its ESTIMATE was replaced meanwhile, and the caller re-runs the same
  /// incarnation at once instead of waiting for a wake-up that would never come.
  ///
  /// The blocker's lock is held while `txn` turns Aborting, so `finishExecution` of the
  /// blocker (which takes the same lock to collect dependents) either sees `txn` in the list
  /// with its status already Aborting, or ran before and we see Executed. Locks nest only from
  /// a lower transaction to a higher one, so they cannot deadlock.
  @inlinable
  func addDependency(_ txn: TxnIndex, on blocker: TxnIndex) -> Bool {
    guard blocker < txn else {
      invariantViolation("Scheduler: txn \(txn) depends on txn \(blocker), which is not below it")
    }
    let parked: Bool = states.withLock(blocker) { blockerState in
      if blockerState.status == .executed { return false }
      states.withLock(txn) { state in
        guard state.status == .executing else {
          invariantViolation("Scheduler: txn \(txn) suspended while \(state.status), not executing")
        }
        state.status = .aborting
        executing.store(txn, false)
      }
      blockerState.dependents.append(txn)
      return true
    }
    // The execution task ends here; the resumed incarnation is a new task.
    if parked { numActiveTasks.pointee.subtract(1, ordering: .sequentiallyConsistent) }
    return parked
  }

  @usableFromInline
  enum WaitOutcome: Equatable {
    /// It was executing and has finished: its writes are in place, read again.
    case finished
    /// It is still executing after `waitBudget`: suspend instead.
    case stillRunning
    /// Nobody is executing it: suspend instead.
    case notRunning
  }

  /// Spins while `txn` is being executed, for at most `waitBudget`. Deadlock-free even
  /// without the budget: a worker waits only on a lower transaction that another worker is
  /// executing, and that worker waits, if at all, only on a still lower one, so every chain
  /// of waits ends at a worker that is making progress. The budget is for machines shared
  /// with other work, where the worker waited for may be descheduled: spinning (or yielding,
  /// which leaves this thread runnable) would then only delay it, whereas suspending frees
  /// this core.
  ///
  /// A transaction not flagged as executing may still be about to run or have just run:
  /// with transactions of a microsecond or two, a reader often looks in exactly that gap,
  /// and suspending it then cost a whole re-execution per transaction of a dependent
  /// chain. So an unflagged `txn` is looked at under its lock (`hasRecordedWrites`):
  /// Executed, or Executing with the flag cleared, is finished;
  /// ReadyToExecute or suspended (Aborting) means it is about to run again, most often on
  /// the other worker as soon as what it waits for is done: that is waited for too, within
  /// the same budget, rather than suspending this transaction behind it as well (which on a
  /// dependent chain suspended every transaction once). Past the budget it is
  /// `notRunning`, and the reader is suspended as in the paper.
  @inlinable
  func waitWhileExecuting(_ txn: TxnIndex) -> WaitOutcome {
    if !executing.load(txn) {
      if hasRecordedWrites(txn) { return .finished }
      if waitBudget == .zero { return .notRunning }
    } else if waitBudget == .zero {
      return .stillRunning
    }
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: waitBudget)
    var spins = 0
    var flagged = executing.load(txn)
    while true {
      let running = executing.load(txn)
      if running {
        flagged = true
      } else if flagged {
        return .finished
      }
      spins &+= 1
      if spins & 255 == 0 && clock.now > deadline {
        if flagged { return .stillRunning }
        // Claimed but never flagged within the budget: look once more.
        return hasRecordedWrites(txn) ? .finished : .notRunning
      }
    }
  }

  /// Whether `txn`'s latest incarnation has put its writes in place: Executed, or still
  /// Executing with its flag already cleared (only the bookkeeping is left). Read under its
  /// lock, which `tryIncarnate` holds while it sets status and flag together, so an
  /// Executing status seen there with the flag clear is one that has finished, never one
  /// that is just starting.
  @inlinable
  func hasRecordedWrites(_ txn: TxnIndex) -> Bool {
    let status = states.withLock(txn) { $0.status }
    return status == .executed || (status == .executing && !executing.load(txn))
  }

  @inlinable
  func isExecuted(_ txn: TxnIndex) -> Bool {
    states.withLock(txn) { $0.status == .executed }
  }

  /// Aborting(i) → ReadyToExecute(i+1).
  @inlinable
  func setReadyStatus(_ txn: TxnIndex) {
    states.withLock(txn) { state in
      guard state.status == .aborting else {
        invariantViolation("Scheduler: txn \(txn) made ready while \(state.status), not aborting")
      }
      state.incarnation += 1
      state.status = .readyToExecute
    }
  }

  @inlinable
  func resumeDependencies(_ dependents: [TxnIndex]) {
    guard let lowest = dependents.min() else { return }
    for txn in dependents { setReadyStatus(txn) }
    decreaseExecutionIdx(to: lowest)
  }

  /// Executing(i) → Executed(i), waking the transactions that waited for this one. Returns a
  /// validation task for the same version when it can be validated at once; otherwise lowers
  /// `validationIdx` so that it and everything above is validated again.
  @inlinable
  func finishExecution(_ version: Version, wroteNewKey: Bool) -> Task? {
    let dependents: [TxnIndex] = states.withLock(version.txn) { state in
      guard state.status == .executing, state.incarnation == version.incarnation else {
        invariantViolation(
          "Scheduler: finishing txn \(version.txn) incarnation \(version.incarnation) while \(state.status) at incarnation \(state.incarnation)"
        )
      }
      state.status = .executed
      executing.store(version.txn, false)
      let waiting = state.dependents
      state.dependents = []
      return waiting
    }
    resumeDependencies(dependents)
    if validationIdx.pointee.load(ordering: .sequentiallyConsistent) > version.txn {
      if wroteNewKey {
        decreaseValidationIdx(to: version.txn)
      } else {
        return .validate(version)
      }
    }
    numActiveTasks.pointee.subtract(1, ordering: .sequentiallyConsistent)
    return nil
  }

  /// Executed(i) → Aborting(i), for exactly one of the validators that found `version` stale:
  /// the same version can be validated by several workers at once, and only one may abort it.
  @inlinable
  func tryValidationAbort(_ version: Version) -> Bool {
    states.withLock(version.txn) { state in
      guard state.incarnation == version.incarnation, state.status == .executed else { return false }
      state.status = .aborting
      return true
    }
  }

  /// After a validation: if it aborted the transaction, everything above must be validated
  /// again, and the re-execution is handed straight back to the caller when the transaction
  /// is below `executionIdx` (otherwise the normal sweep will pick it up).
  @inlinable
  func finishValidation(_ txn: TxnIndex, aborted: Bool) -> Task? {
    if aborted {
      setReadyStatus(txn)
      decreaseValidationIdx(to: txn + 1)
      if executionIdx.pointee.load(ordering: .sequentiallyConsistent) > txn {
        // tryIncarnate gives back this task's active count if someone else claimed txn.
        if let version = tryIncarnate(txn) { return .execute(version) }
        return nil
      }
    }
    numActiveTasks.pointee.subtract(1, ordering: .sequentiallyConsistent)
    return nil
  }
}
