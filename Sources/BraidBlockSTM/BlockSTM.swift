/// # BraidBlockSTM: Block-STM, the algorithm
///
/// Executes the transactions of a block on several threads and commits exactly what
/// executing them one after another, in block order, would commit. After Gelashvili et al.,
/// "Block-STM: Scaling Blockchain Execution by Turning Ordering Curse to a Performance
/// Blessing" (2022), and the Aptos block executor. This module knows nothing of the EVM:
/// a VM is anything that maps a transaction and the values it reads to writes and an output
/// (`BlockSTMVM`).
///
/// ## Optimistic execution in a preset order
/// Nothing about a transaction's reads and writes is known in advance. Workers simply execute
/// transactions speculatively, lowest index first, each against the writes that lower
/// transactions have made so far. The block order is fixed before execution starts, so
/// "correct" has one meaning: transaction `j` must end up having read what the lower
/// transactions' final writes make of the state, exactly as in sequential execution.
///
/// ## Multi-version memory
/// Writes are not applied to one shared state. `VersionedMemory` keeps, for every key, the
/// write of each transaction that wrote it, tagged with the version (transaction index and
/// incarnation, i.e. how many times that transaction's execution was started over) that
/// wrote it. Transaction `j` reading a key sees the write of the highest transaction below
/// `j`, never one above it, so later transactions can run ahead without disturbing earlier
/// ones. A write is a full value or a commutative delta ("add 5"): a read folds the deltas
/// it finds on the way down onto the nearest full value, or onto the pre-block storage
/// value. Deltas let many transactions credit one account (the coinbase) without reading
/// it, and so without conflicting.
///
/// ## ESTIMATE markers
/// When an incarnation is aborted, its writes are not deleted but replaced by ESTIMATE
/// markers: the next incarnation will most likely write the same keys. A transaction that
/// reads an ESTIMATE stops at once (`ReadView.read` returns nil, the VM returns
/// `.dependency`) and is suspended until the blocking transaction has executed again, rather
/// than computing on a value that is about to change and being aborted later anyway.
///
/// ## Read-set validation
/// Each incarnation records every value it read. Validating it re-resolves every one of
/// those reads and compares: if any now resolves differently (a lower transaction was
/// re-executed and wrote something else, or wrote a key it had not written before, or left
/// an ESTIMATE), the incarnation is aborted and the transaction executed again. Validation
/// compares values, not versions, so a re-execution that writes the same value invalidates
/// nobody above it.
///
/// ## The collaborative scheduler
/// There is no dispatcher thread: every worker asks the `Scheduler` for its next task. Two
/// shared indices sweep the block: `execution_idx`, the next transaction to execute, and
/// `validation_idx`, the next to validate. A worker takes a validation task when
/// `validation_idx` is behind `execution_idx`, otherwise an execution task, so work is always
/// done on the lowest transactions first: those are the ones whose results everything above
/// depends on. An abort, or an execution that wrote a key its previous incarnation had not,
/// moves `validation_idx` back to that transaction so that everything above it is validated
/// again; resuming suspended transactions moves `execution_idx` back. A task's result often
/// is the next task (validate what was just executed, re-execute what was just aborted), and
/// the worker runs it directly.
///
/// ## Dependencies: suspension and resume
/// A transaction that read an ESTIMATE of transaction `k` adds itself to `k`'s dependents
/// and its incarnation ends. When `k` next finishes executing it makes its dependents ready
/// for their next incarnation and moves `execution_idx` back to the lowest of them. The check
/// "is `k` still not executed?" and the registration happen under `k`'s lock, the same lock
/// `k` takes to collect its dependents, so a wake-up is never lost: if `k` has finished by
/// then, the reader re-executes at once instead of waiting.
///
/// ## Waiting in place, and learned estimates
/// Two refinements of the paper, both switchable (`BlockSTMOptions`) and neither affecting
/// the result, only the work wasted on the way. First, when the writer of an ESTIMATE is
/// being executed at that very moment, or is about to be (claimed, or itself suspended and
/// waiting to run again), the reader spins until that execution finishes and reads the new
/// value, instead of throwing its incarnation away. Waits are bounded by a short budget,
/// past which the reader is suspended as in the paper; so a chain of waits that no worker
/// is left to break (every worker waiting) lasts at most that long. Waiting on a suspended
/// writer matters on a dependent chain: suspending there suspended the reader, then the
/// one above it, and so on up the block, and executed every transaction twice.
/// Second, a first incarnation leaves no ESTIMATEs, so on a key that every transaction writes
/// (a counter, one sender's nonce, a single pool) the transaction right above a running one
/// would read a value about to be overwritten, execute in vain, and set off a wave of aborts.
/// When the highest writers of a key sit just below the reader and its immediate predecessor
/// has not written the key yet, the reader treats that as an ESTIMATE of the predecessor:
/// it waits for it (or is suspended on it) unless the predecessor has already executed. A
/// fully dependent block then runs as a pipeline.
/// A wait that spends its whole budget means the writer's worker is not running (another
/// process took its core); a worker whose incarnations are suspended that way twice in a
/// row naps before taking more work (`FutileWaits`), rather than spin through the rest of a
/// dependent block and keep that core from the worker everything waits on.
///
/// ## Knowing when the block is done
/// `num_active_tasks` counts tasks handed out and not finished; `decrease_cnt` counts every
/// time an index moved back. The block is done when both indices are past the last
/// transaction, no task is active, and `decrease_cnt` did not change while that was being
/// checked: then no transaction can be re-executed or re-validated any more.
///
/// ## Why the result equals sequential execution
/// Transaction 0 reads only the pre-state, so its first incarnation is final. Suppose every
/// transaction below `j` has reached its final incarnation. Whenever a lower transaction's
/// writes changed (an abort leaving ESTIMATEs, a re-execution, a write to a new key),
/// `validation_idx` moved back to or below `j`, so some validation of `j` starts after the
/// last such change. That validation re-resolves all of `j`'s reads against the final writes
/// below `j`: if they all match, `j` read exactly what it reads in sequential execution, and
/// a deterministic VM then writes and returns exactly what it does sequentially; if not, `j`
/// is aborted and re-executed against those final writes, and validated again. So when the
/// block is done, every transaction's last incarnation saw the sequential state, and the
/// versioned memory, folded per key, is the sequential final state.
///
/// ## Errors
/// Two tiers. Speculative failures are expected and cost only time: an incarnation that read
/// an ESTIMATE waits and re-executes; one whose reads turn out stale is aborted and
/// re-executes; a VM that finds its speculative reads mutually inconsistent returns anything
/// and validation discards it. Invariant violations (a status transition the diagram does not
/// allow, an ESTIMATE left when the block is done, a VM reporting a dependency it did not
/// read) are bugs: they stop the process with a message naming the transaction.
public enum BlockSTM {
  /// Runs `count` transactions on `threads` worker threads (threads >= 1). Returns exactly
  /// what sequential execution in index order produces.
  ///
  /// Every worker runs on a thread with a large stack (`options.stackSize`), taken from
  /// `ThreadPool`, which keeps its threads between blocks; the caller waits. More workers
  /// than transactions would only ever idle, so at most `count` run.
  @inlinable
  public static func execute<VM: BlockSTMVM>(
    _ vm: VM, count: Int, threads: Int, options: BlockSTMOptions = BlockSTMOptions()
  ) -> BlockSTMResult<VM> {
    guard threads >= 1 else { invariantViolation("BlockSTM.execute needs threads >= 1, got \(threads)") }
    guard count >= 0 else { invariantViolation("BlockSTM.execute needs count >= 0, got \(count)") }
    if count == 0 { return BlockSTMResult(outputs: [], writes: [], finalValues: [:], stats: BlockSTMStats()) }
    let workers = min(threads, count)
    let executor = Executor(vm: vm, count: count, workers: workers, options: options)
    WorkerThreads.run(count: workers, stackSize: options.stackSize) { executor.work(worker: $0) }
    var result = executor.result()
    let leftovers = executor.leftovers
    // Every worker is joined, so whoever frees the leftovers is their only user.
    if count >= 256 {
      let scratch = BlockSTMScratch { leftovers.reclaim() }
      if options.deferScratchRelease { result.scratch = scratch } else { scratch.releaseInBackground() }
    } else {
      leftovers.reclaim()
    }
    return result
  }

  /// The reference: each transaction in index order, on the caller's thread, against the
  /// state all earlier ones committed. Same `ReadView` (it never reports an ESTIMATE) and same
  /// result type, so the two can be compared field by field.
  @inlinable
  public static func executeSequentially<VM: BlockSTMVM>(_ vm: VM, count: Int) -> BlockSTMResult<VM> {
    guard count >= 0 else { invariantViolation("BlockSTM.executeSequentially needs count >= 0, got \(count)") }
    let state = CommittedState(vm: vm)
    var outputs: [VM.Output] = []
    var writes: [[(VM.Key, WriteOp<VM>)]] = []
    outputs.reserveCapacity(count)
    writes.reserveCapacity(count)
    for txn in 0..<count {
      state.readsSinceReset = 0
      var view = ReadView<VM>(committed: state, txn: txn)
      // The view holds `state` unretained; keep it alive across the call.
      let result = withExtendedLifetime(state) { vm.execute(txn, view: &view) }
      switch result {
      case .done(let written, let output):
        assert(hasDistinctKeys(written), "the VM's write set for txn \(txn) names a key twice")
        state.apply(written)
        outputs.append(output)
        writes.append(written)
      case .dependency:
        invariantViolation("the VM returned .dependency for txn \(txn) in sequential execution, which has no ESTIMATEs")
      }
    }
    let stats = BlockSTMStats(executions: count)
    return BlockSTMResult(outputs: outputs, writes: writes, finalValues: state.values, stats: stats)
  }
}

/// Tuning for `BlockSTM.execute`. None of these affects the result, only how much work is
/// thrown away on the way to it; the switches exist to measure what each refinement is
/// worth, and so that tests can force the paper's plain suspension path.
public struct BlockSTMOptions: Sendable {
  /// The stack of each worker thread: room for a VM that recurses deeply (the EVM, once per
  /// call frame, up to depth 1024). Reserved address space only, until used.
  public var stackSize: Int
  /// A read that hits the ESTIMATE of a transaction being executed right now waits for that
  /// execution to finish and reads the new value, instead of suspending its transaction (the
  /// paper's rule, kept for blockers nobody is executing).
  public var waitForExecutingBlockers: Bool
  /// A read of a key that the transactions just below have all been writing, while the one
  /// right below is being executed and has not written it yet, waits for that one first: a
  /// learned ESTIMATE for first incarnations, which leave none. Turns a fully dependent block
  /// into a pipeline instead of a cascade of executions on stale values.
  public var waitForPredecessorWrites: Bool
  /// How long such a wait may spin before the reader is suspended after all. nil: about as
  /// long as a typical transaction takes (20 µs), or not at all when there are more workers
  /// than cores (the transaction waited for may need this very core).
  public var waitBudget: Duration?
  /// Whether `BlockSTMResult.writes` holds each transaction's write set. A caller that
  /// commits `finalValueList` alone can turn it off: the write sets are then freed with the
  /// rest of the executor, off the caller's thread, instead of handed over and destroyed there.
  public var collectWrites: Bool
  /// Whether a large block's scratch memory comes back in `BlockSTMResult.scratch` for the
  /// caller to release when it suits it, instead of being freed on a background thread at
  /// once (see `BlockSTMScratch`).
  public var deferScratchRelease: Bool

  @inlinable
  public init(
    stackSize: Int = 256 << 20, waitForExecutingBlockers: Bool = true, waitForPredecessorWrites: Bool = true,
    waitBudget: Duration? = nil, collectWrites: Bool = true, deferScratchRelease: Bool = false
  ) {
    self.stackSize = stackSize
    self.waitForExecutingBlockers = waitForExecutingBlockers
    self.waitForPredecessorWrites = waitForPredecessorWrites
    self.waitBudget = waitBudget
    self.collectWrites = collectWrites
    self.deferScratchRelease = deferScratchRelease
  }
}

/// Counters for one block, for metrics and benchmarks.
public struct BlockSTMStats: Sendable, Equatable {
  /// Calls into the VM, including incarnations cut short by an ESTIMATE.
  public var executions: Int
  /// Calls into the VM beyond one per transaction (`executions - count`).
  public var reexecutions: Int
  /// Read-set validations performed.
  public var validations: Int
  /// Validations that found a stale read and aborted the incarnation (= aborts).
  public var validationFailures: Int
  /// Incarnations suspended on an ESTIMATE until their blocker re-executed.
  public var dependencyWaits: Int
  /// Reads that found an ESTIMATE of a transaction being executed at that moment and waited
  /// for it to finish instead of suspending (`waitForExecutingBlockers`).
  public var estimateWaits: Int
  /// Reads that waited for the transaction right below to write first
  /// (`waitForPredecessorWrites`).
  public var predictedWaits: Int

  @inlinable
  public init(
    executions: Int = 0, reexecutions: Int = 0, validations: Int = 0, validationFailures: Int = 0,
    dependencyWaits: Int = 0, estimateWaits: Int = 0, predictedWaits: Int = 0
  ) {
    self.executions = executions
    self.reexecutions = reexecutions
    self.validations = validations
    self.validationFailures = validationFailures
    self.dependencyWaits = dependencyWaits
    self.estimateWaits = estimateWaits
    self.predictedWaits = predictedWaits
  }

  @inlinable
  public mutating func add(_ other: BlockSTMStats) {
    executions += other.executions
    reexecutions += other.reexecutions
    validations += other.validations
    validationFailures += other.validationFailures
    dependencyWaits += other.dependencyWaits
    estimateWaits += other.estimateWaits
    predictedWaits += other.predictedWaits
  }
}

/// What a block commits.
public struct BlockSTMResult<VM: BlockSTMVM> {
  /// Per transaction, in block order: the output and the write set of its final incarnation.
  public var outputs: [VM.Output]
  public var writes: [[(VM.Key, WriteOp<VM>)]]
  /// Every key written in the block, once, with its final value (deltas folded onto the
  /// last full value or the storage value) — what the block commits. Ordered by shard, and
  /// within a shard by `BlockSTMVM.keyHash` (see `VersionedMemory.finalValues(shard:)`).
  public var finalValueList: [(VM.Key, VM.Value)]
  public var stats: BlockSTMStats
  /// With `BlockSTMOptions.deferScratchRelease`, the block's scratch memory, still to be
  /// released; nil otherwise, and for small blocks (freed before returning).
  public var scratch: BlockSTMScratch? = nil

  /// `finalValueList` as a dictionary (for comparisons; building it costs a hash per key).
  public var finalValues: [VM.Key: VM.Value] {
    Dictionary(finalValueList, uniquingKeysWith: { _, last in last })
  }

  @inlinable
  public init(
    outputs: [VM.Output], writes: [[(VM.Key, WriteOp<VM>)]], finalValueList: [(VM.Key, VM.Value)],
    stats: BlockSTMStats
  ) {
    self.outputs = outputs
    self.writes = writes
    self.finalValueList = finalValueList
    self.stats = stats
  }

  @inlinable
  public init(
    outputs: [VM.Output], writes: [[(VM.Key, WriteOp<VM>)]], finalValues: [VM.Key: VM.Value],
    stats: BlockSTMStats
  ) {
    self.init(outputs: outputs, writes: writes, finalValueList: Array(finalValues), stats: stats)
  }
}

extension BlockSTMResult: Sendable {}
