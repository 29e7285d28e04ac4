/// Read-set capture: the view one incarnation reads through, and what it remembers of those
/// reads so that validation can check them again later.

/// One read of an incarnation: the key and the value it resolved to. Validation is by value:
/// the read is still good if the key resolves to an equal value now.
@usableFromInline
struct ReadRecord<VM: BlockSTMVM>: Sendable {
  @usableFromInline var key: VM.Key
  @usableFromInline var value: VM.Value

  @inlinable
  init(key: VM.Key, value: VM.Value) {
    self.key = key
    self.value = value
  }
}

/// Passed inout to the VM for one incarnation: resolves reads against versioned memory
/// (highest write by a lower txn; deltas folded down to the nearest full value or storage),
/// records the read set for validation (the resolved value; validation re-resolves and
/// compares with ==), and reports ESTIMATE hits.
///
/// The view does not see the transaction's own writes; a VM that reads a key after writing it
/// serves that read itself. Every call to `read` is recorded, so a VM that reads one key many
/// times should keep the first answer rather than ask again.
public struct ReadView<VM: BlockSTMVM> {
  @usableFromInline
  enum Source {
    /// Block-STM: speculative reads, recorded for validation.
    case versioned(VersionedMemory<VM>)
    /// The sequential reference: reads from the state every earlier transaction committed.
    case committed(CommittedState<VM>)
  }

  @usableFromInline let source: Source
  /// The transaction this view reads for.
  public let txn: TxnIndex
  @usableFromInline var blocker: TxnIndex?
  @usableFromInline var reads: ContiguousArray<ReadRecord<VM>>

  @inlinable
  init(source: Source, txn: TxnIndex, expectedReads: Int) {
    self.source = source
    self.txn = txn
    blocker = nil
    reads = []
    if case .versioned = source { reads.reserveCapacity(expectedReads) }
  }

  /// The value of `key` as this transaction sees it, or nil when a lower transaction's write
  /// there is an ESTIMATE: the VM must then stop and return `.dependency`.
  @inlinable
  public mutating func read(_ key: VM.Key) -> VM.Value? {
    switch source {
    case .versioned(let memory):
      switch memory.read(key, by: txn) {
      case .value(let value):
        reads.append(ReadRecord(key: key, value: value))
        return value
      case .estimate(let blocker):
        self.blocker = blocker
        return nil
      }
    case .committed(let state):
      return state.read(key)
    }
  }

  /// The transaction whose ESTIMATE a read hit; nil while every read succeeded.
  @inlinable
  public var blockingTxn: TxnIndex? { blocker }

  /// How many reads this incarnation has made so far.
  @inlinable
  public var readCount: Int {
    switch source {
    case .versioned: return reads.count
    case .committed(let state): return state.readsSinceReset
    }
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
