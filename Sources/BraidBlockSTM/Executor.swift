import Synchronization

/// Write-set capture: what the last finished incarnation of a transaction read, wrote and
/// returned. Validation reads `reads`; an abort turns `writes` into ESTIMATEs; the next
/// incarnation compares its writes with `writes` to drop keys it no longer writes; after the
/// block, `writes` and `output` are the transaction's result.
@usableFromInline
struct TxnRecord<VM: BlockSTMVM>: Sendable {
  @usableFromInline var reads: ContiguousArray<ReadRecord<VM>> = []
  @usableFromInline var writes: [(VM.Key, WriteOp<VM>)] = []
  @usableFromInline var output: VM.Output? = nil

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

  @inlinable
  init(vm: VM, count: Int) {
    self.vm = vm
    self.count = count
    memory = VersionedMemory(vm: vm)
    scheduler = Scheduler(count: count)
    records = LockedSlots(count: count) { _ in TxnRecord() }
  }

  /// A worker: take a task, run it, and keep the follow-up task it may hand back (running
  /// it directly saves a trip through the shared indices), until the scheduler says done.
  @inlinable
  func work() {
    var local = BlockSTMStats()
    var task: Scheduler.Task? = nil
    var idle = 0
    var expectedReads = 8
    while !scheduler.done {
      guard let current = task ?? scheduler.nextTask() else {
        idleBackoff(&idle)
        continue
      }
      idle = 0
      switch current {
      case .execute(let version):
        task = execute(version, stats: &local, expectedReads: &expectedReads)
      case .validate(let version):
        task = validate(version, stats: &local)
      }
    }
    stats.withLock { $0.add(local) }
  }

  /// Runs one incarnation and publishes its writes, or suspends it on the transaction whose
  /// ESTIMATE it read.
  @inlinable
  func execute(_ version: Version, stats: inout BlockSTMStats, expectedReads: inout Int) -> Scheduler.Task? {
    let txn = version.txn
    while true {
      var view = ReadView<VM>(source: .versioned(memory), txn: txn, expectedReads: expectedReads)
      stats.executions += 1
      let result = vm.execute(txn, view: &view)
      if let blocker = view.blockingTxn {
        if scheduler.addDependency(txn, on: blocker) {
          stats.dependencyWaits += 1
          return nil
        }
        // The blocker finished meanwhile: its ESTIMATE is gone, run the same incarnation again.
        continue
      }
      guard case .done(let writes, let output) = result else {
        invariantViolation("the VM returned .dependency for txn \(txn) without reading an ESTIMATE")
      }
      assert(hasDistinctKeys(writes), "the VM's write set for txn \(txn) names a key twice")
      expectedReads = max(8, view.reads.count)
      let reads = view.reads
      let previous: [(VM.Key, WriteOp<VM>)] = records.withLock(txn) { record in
        let previous = record.writes
        record.reads = reads
        record.writes = writes
        record.output = output
        return previous
      }
      let wroteNewKey = memory.record(version, writes: writes, previous: previous)
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
    var outputs: [VM.Output] = []
    var writes: [[(VM.Key, WriteOp<VM>)]] = []
    outputs.reserveCapacity(count)
    writes.reserveCapacity(count)
    for txn in 0..<count {
      let (output, written) = records.withLock(txn) { ($0.output, $0.writes) }
      guard let output else { invariantViolation("txn \(txn) has no output when the block finished") }
      outputs.append(output)
      writes.append(written)
    }
    var stats = stats.withLock { $0 }
    stats.reexecutions = stats.executions - count
    return BlockSTMResult(outputs: outputs, writes: writes, finalValues: memory.finalValues(), stats: stats)
  }
}

@inlinable
func hasDistinctKeys<Key: Hashable, Op>(_ writes: [(Key, Op)]) -> Bool {
  Set(writes.lazy.map(\.0)).count == writes.count
}
