import Synchronization
#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Write-set capture: what the last finished incarnation of a transaction read, wrote and
/// returned. Validation reads `reads`; an abort turns `writes` into ESTIMATEs; the next
/// incarnation compares its writes with `writes` to drop keys it no longer writes; after the
/// block, `writes` and `output` are the transaction's result.
@usableFromInline
struct TxnRecord<VM: BlockSTMVM>: Sendable {
  @usableFromInline var reads = ReadSpan<VM>()
  @usableFromInline var writes: [(VM.Key, WriteOp<VM>)] = []
  @usableFromInline var output: VM.Output? = nil
  /// Keys seeded with an ESTIMATE before the first incarnation (`BlockSTMVM.writeHints`).
  @usableFromInline var hints: [VM.Key] = []

  @inlinable init() {}
}

/// One block's run: the shared state every worker uses, and the worker loop.
@usableFromInline
final class Executor<VM: BlockSTMVM>: Sendable {
  @usableFromInline let vm: VM
  @usableFromInline let count: Int
  @usableFromInline let memory: VersionedMemory<VM>
  @usableFromInline let scheduler: Scheduler
  @usableFromInline let records: LockedSlots<TxnRecord<VM>>
  @usableFromInline let stats = Mutex(BlockSTMStats())
  @usableFromInline let buffers: ResultBuffers<VM>

  @inlinable
  init(vm: VM, count: Int, workers: Int, options: BlockSTMOptions) {
    self.vm = vm
    self.count = count
    // A transaction writes three to five keys (nonce, balance, a credit, the coinbase fee,
    // a slot or two), but many are shared (the coinbase; a sender's nonce, written again by
    // its next transaction): the benchmark blocks have about two distinct keys per
    // transaction. Sized for three, the shards rarely rehash under their locks, and their
    // tables take less of the cache than sized for four (callgrind: 1% fewer misses).
    memory = VersionedMemory(vm: vm, expectedKeys: 3 * count, workers: workers)
    scheduler = Scheduler(count: count, workers: workers, options: options)
    records = LockedSlots(count: count) { _ in TxnRecord() }
    buffers = ResultBuffers(count: count, shardCount: VersionedMemory<VM>.shardCount, collectWrites: options.collectWrites)
    self.workers = workers
    // Room for about eight reads per transaction in one chunk per worker.
    let chunk = min(max(8 * count / workers, 256), 1 << 16)
    arenas = (0..<workers).map { _ in ReadArena(chunkSize: chunk) }
  }

  /// One per worker, indexed by worker.
  @usableFromInline let arenas: [ReadArena<VM>]

  @usableFromInline let workers: Int
  /// Workers that have placed their share of the write hints (`seedHints`).
  @usableFromInline let seeded = PaddedSlots<Atomic<Int>>(count: 1, alignment: 128) { _ in Atomic(0) }

  /// Places the ESTIMATEs of the write hints that fall in this worker's shards (every
  /// `workers`-th shard), then waits until every worker has done its share. Before the
  /// first execution: a hint placed after its transaction executed would overwrite that
  /// transaction's write with an ESTIMATE. Done by the workers rather than by the caller
  /// beforehand, because on a block whose senders recur it is tens of thousands of inserts:
  /// serial work that held back every worker. Split by shard, not by transaction, so that
  /// one worker places all of a key's hints, in transaction order: a key's versions then
  /// grow by appending, where two workers interleaving on one sender's nonce inserted in
  /// the middle of a ten-thousand-entry list each time.
  @inlinable
  func seedHints(worker: Int) {
    for txn in 0..<count {
      let hints = vm.writeHints(txn)
      if hints.isEmpty { continue }
      if txn % workers == worker { records.withLock(txn) { $0.hints = hints } }
      memory.seedEstimates(txn: txn, keys: hints, shardsOf: worker, of: workers)
    }
    seeded[0].pointee.add(1, ordering: .sequentiallyConsistent)
    var wait = Backoff(spinLimit: scheduler.idleSpins)
    while seeded[0].pointee.load(ordering: .sequentiallyConsistent) < workers { wait.pause() }
  }

  /// A worker: take a task, run it, and keep the follow-up task it may hand back (running
  /// it directly saves a trip through the shared indices), until the scheduler says done;
  /// then help take the result apart.
  @inlinable
  func work(worker: Int) {
    var local = BlockSTMStats()
    var task: Scheduler.Task? = nil
    var idle = Backoff(spinLimit: scheduler.idleSpins)
    var futile = FutileWaits()
    seedHints(worker: worker)
    while !scheduler.done {
      guard let current = task ?? scheduler.nextTask() else {
        idle.pause()
        continue
      }
      idle.reset()
      switch current {
      case .execute(let version):
        task = execute(version, worker: worker, stats: &local, futile: &futile)
      case .validate(let version):
        task = validate(version, stats: &local)
      }
    }
    stats.withLock { $0.add(local) }
    buffers.collect(records: records, memory: memory)
  }

  /// Runs one incarnation and publishes its writes, or suspends it on the transaction whose
  /// ESTIMATE it read.
  @inlinable
  func execute(
    _ version: Version, worker: Int, stats: inout BlockSTMStats, futile: inout FutileWaits
  ) -> Scheduler.Task? {
    let txn = version.txn
    let arena = arenas[worker]
    while true {
      var view = ReadView<VM>(memory: memory, scheduler: scheduler, txn: txn, arena: arena)
      stats.executions += 1
      let result = vm.execute(txn, view: &view)
      stats.estimateWaits += view.estimateWaits
      stats.predictedWaits += view.predictedWaits
      if let blocker = view.blockingTxn {
        view.discardReads()
        if scheduler.addDependency(txn, on: blocker) {
          stats.dependencyWaits += 1
          futile.suspended(afterWaitingInVain: view.waitsInVain > 0)
          return nil
        }
        // The blocker finished meanwhile: its ESTIMATE is gone, run the same incarnation again.
        continue
      }
      guard case .done(let writes, let output) = result else {
        invariantViolation("the VM returned .dependency for txn \(txn) without reading an ESTIMATE")
      }
      assert(hasDistinctKeys(writes), "the VM's write set for txn \(txn) names a key twice")
      let reads = view.recordedReads
      let (previous, hints): ([(VM.Key, WriteOp<VM>)], [VM.Key]) = records.withLock(txn) { record in
        let taken = (record.writes, record.hints)
        record.reads = reads
        record.writes = writes
        record.output = output
        record.hints = []
        return taken
      }
      futile.reset()
      let wroteNewKey = memory.record(version, writes: writes, previous: previous, hints: hints)
      // Readers waiting for this transaction only need its writes, which are in place: let
      // them go before the scheduler's bookkeeping, which is on nobody's critical path.
      scheduler.executing.store(txn, false)
      return scheduler.finishExecution(version, wroteNewKey: wroteNewKey)
    }
  }

  /// Re-resolves every read of `version`; if one changed, aborts it (when no other validator
  /// got there first) and leaves ESTIMATEs where it wrote.
  @inlinable
  func validate(_ version: Version, stats: inout BlockSTMStats) -> Scheduler.Task? {
    let txn = version.txn
    stats.validations += 1
    let reads = records.withLock(txn) { $0.reads }
    let valid = memory.validate(reads, by: txn)
    let aborted = !valid && scheduler.tryValidationAbort(version)
    if aborted {
      stats.validationFailures += 1
      let writes = records.withLock(txn) { $0.writes }
      memory.markEstimates(txn: txn, writes: writes)
    }
    return scheduler.finishValidation(txn, aborted: aborted)
  }

  /// The block's result, once every worker has returned.
  @inlinable
  func result() -> BlockSTMResult<VM> {
    let (outputs, writes, finalValues) = buffers.take()
    var stats = stats.withLock { $0 }
    stats.reexecutions = stats.executions - count
    return BlockSTMResult(outputs: outputs, writes: writes, finalValueList: finalValues, stats: stats)
  }

  /// The per-transaction records and versioned memory, without the VM: what `reclaim`
  /// destroys. A large block's teardown (tens of thousands of version lists) costs as much
  /// as a tenth of its execution, so `BlockSTM.execute` destroys them on a background thread
  /// once the result is out. That thread must not hold the VM: the EVM's VM holds the
  /// pre-state, and while a second reference to it lives, the caller's commit into that
  /// state copies the whole account table instead of updating it in place.
  @inlinable
  var leftovers: Leftovers {
    Leftovers(records: records, scheduler: scheduler, shards: memory.shards, arenas: arenas)
  }

  @usableFromInline
  struct Leftovers: Sendable {
    @usableFromInline let records: LockedSlots<TxnRecord<VM>>
    @usableFromInline let scheduler: Scheduler
    @usableFromInline let shards: LockedSlots<KeyTable<VM>>
    @usableFromInline let arenas: [ReadArena<VM>]

    @inlinable
    init(
      records: LockedSlots<TxnRecord<VM>>, scheduler: Scheduler, shards: LockedSlots<KeyTable<VM>>,
      arenas: [ReadArena<VM>]
    ) {
      self.records = records
      self.scheduler = scheduler
      self.shards = shards
      self.arenas = arenas
    }

    /// Only once every worker has returned.
    @inlinable
    func reclaim() {
      records.destroyAll()
      scheduler.states.destroyAll()
      scheduler.executing.destroyAll()
      shards.destroyAll()
      for arena in arenas { arena.reclaim() }
    }
  }
}

/// A worker's run of incarnations suspended after a wait that used its whole budget. The
/// transaction waited for was on a core but made no progress for the whole budget: its
/// worker was descheduled (another process on the core, or more workers than cores). On a
/// dependent block the next transaction then waits on the suspended one, and so on, each
/// spinning the full budget and each executed again later: with one core taken by another
/// process, a chain of ten thousand ran at a tenth of sequential speed. After two such
/// suspensions in a row the worker naps instead of taking more work, which gives the core
/// to the worker it is waiting for; one success ends the run.
@usableFromInline
struct FutileWaits {
  @usableFromInline var run = 0

  @inlinable init() {}

  @inlinable
  mutating func reset() { run = 0 }

  @inlinable
  mutating func suspended(afterWaitingInVain inVain: Bool) {
    guard inVain else { return }
    run &+= 1
    if run >= 2 { usleep(UInt32(50 * min(run - 1, 8))) }
  }
}

@inlinable
func hasDistinctKeys<Key: Hashable, Op>(_ writes: [(Key, Op)]) -> Bool {
  Set(writes.lazy.map(\.0)).count == writes.count
}
