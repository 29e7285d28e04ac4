import Synchronization

/// Multi-version memory: for every key, the writes of each transaction that wrote it, tagged
/// with the incarnation that wrote them, kept sorted by transaction index. A read by
/// transaction `j` resolves to the write of the highest transaction below `j`, folding deltas
/// down to the nearest full value (or to the pre-block storage value when none is below).
///
/// Keys are spread over `shardCount` shards by hash, each behind its own `Mutex`, so workers
/// touching different keys rarely meet on a lock; a lock is held only for a dictionary
/// lookup and a short walk of one key's versions, never across a call into the VM.
@usableFromInline
final class VersionedMemory<VM: BlockSTMVM>: Sendable {
  /// What one transaction left at one key.
  @usableFromInline
  enum Cell: Sendable {
    case write(WriteOp<VM>)
    /// The incarnation that wrote here was aborted; its next incarnation will probably write
    /// here again, so a reader waits for it rather than read what lies below and be wrong.
    case estimate
  }

  @usableFromInline
  struct Entry: Sendable {
    @usableFromInline var txn: TxnIndex
    @usableFromInline var incarnation: Incarnation
    @usableFromInline var cell: Cell

    @inlinable
    init(txn: TxnIndex, incarnation: Incarnation, cell: Cell) {
      self.txn = txn
      self.incarnation = incarnation
      self.cell = cell
    }
  }

  /// A read resolved inside a shard's lock; `.storage` finishes outside it, because the
  /// pre-state may be slow (a disk read) and must not hold up other workers.
  @usableFromInline
  enum Lookup {
    case value(VM.Value)
    case storage(pendingDelta: VM.Delta?)
    case estimate(blocker: TxnIndex)
  }

  /// What a reader sees at one key.
  @usableFromInline
  enum Resolution {
    case value(VM.Value)
    case estimate(blocker: TxnIndex)
  }

  @usableFromInline typealias Versions = ContiguousArray<Entry>
  @usableFromInline typealias Shard = [VM.Key: Versions]

  /// 256 shards: with a handful of workers the chance that two of them want the same shard
  /// at the same moment is small, and 256 empty dictionaries cost nothing to set up.
  @usableFromInline static var shardCount: Int { 256 }

  @usableFromInline let vm: VM
  @usableFromInline let shards: LockedSlots<Shard>

  @inlinable
  init(vm: VM) {
    self.vm = vm
    shards = LockedSlots(count: Self.shardCount) { _ in [:] }
  }

  @inlinable
  func shardIndex(_ key: VM.Key) -> Int {
    key.hashValue & (Self.shardCount - 1)
  }

  /// Index of the first entry whose transaction is not below `txn`.
  @inlinable
  static func firstIndex(notBelow txn: TxnIndex, in versions: Versions) -> Int {
    var low = 0
    var high = versions.count
    while low < high {
      let mid = (low &+ high) >> 1
      if versions[mid].txn < txn { low = mid &+ 1 } else { high = mid }
    }
    return low
  }

  /// Walks down from the highest entry below `end`, folding deltas, until a full value, an
  /// ESTIMATE or the bottom.
  @inlinable
  static func fold(_ versions: Versions, below end: Int) -> Lookup {
    var pending: VM.Delta? = nil
    var i = end
    while i > 0 {
      i &-= 1
      let entry = versions[i]
      switch entry.cell {
      case .estimate:
        return .estimate(blocker: entry.txn)
      case .write(.value(let value)):
        if let delta = pending { return .value(VM.apply(delta, to: value)) }
        return .value(value)
      case .write(.delta(let delta)):
        // Lower deltas apply first.
        if let above = pending { pending = VM.merge(delta, above) } else { pending = delta }
      }
    }
    return .storage(pendingDelta: pending)
  }

  /// What transaction `txn` reads at `key`: the writes of transactions below it only.
  @inlinable
  func read(_ key: VM.Key, by txn: TxnIndex) -> Resolution {
    let lookup: Lookup = shards.withLock(shardIndex(key)) { shard in
      guard let versions = shard[key] else { return .storage(pendingDelta: nil) }
      return Self.fold(versions, below: Self.firstIndex(notBelow: txn, in: versions))
    }
    switch lookup {
    case .value(let value): return .value(value)
    case .estimate(let blocker): return .estimate(blocker: blocker)
    case .storage(let pending):
      let base = vm.storageValue(key)
      if let delta = pending { return .value(VM.apply(delta, to: base)) }
      return .value(base)
    }
  }

  /// Publishes the write set of `version`, replacing what its earlier incarnation left, and
  /// removes the entries of keys the earlier incarnation wrote and this one does not.
  /// Returns whether this incarnation wrote a key the previous one did not: readers above may
  /// have resolved past that key, so they must all be validated again.
  @inlinable
  func record(
    _ version: Version, writes: [(VM.Key, WriteOp<VM>)], previous: [(VM.Key, WriteOp<VM>)]
  ) -> Bool {
    for (key, op) in writes {
      write(key, Entry(txn: version.txn, incarnation: version.incarnation, cell: .write(op)))
    }
    if previous.isEmpty { return !writes.isEmpty }
    let diff = KeyDifference(new: writes, old: previous)
    for key in diff.dropped { remove(key, txn: version.txn) }
    return diff.hasNewKey
  }

  @inlinable
  func write(_ key: VM.Key, _ entry: Entry) {
    shards.withLock(shardIndex(key)) { shard in
      shard[key, default: []].insertOrReplace(entry)
    }
  }

  @inlinable
  func remove(_ key: VM.Key, txn: TxnIndex) {
    shards.withLock(shardIndex(key)) { shard in
      guard var versions = shard.removeValue(forKey: key) else {
        invariantViolation("VersionedMemory: removing txn \(txn)'s entry at a key nobody wrote")
      }
      let i = Self.firstIndex(notBelow: txn, in: versions)
      guard i < versions.count, versions[i].txn == txn else {
        invariantViolation("VersionedMemory: txn \(txn) has no entry at a key it wrote")
      }
      versions.remove(at: i)
      if !versions.isEmpty { shard[key] = versions }
    }
  }

  /// Marks every write of an aborted incarnation as ESTIMATE.
  @inlinable
  func markEstimates(txn: TxnIndex, writes: [(VM.Key, WriteOp<VM>)]) {
    for (key, _) in writes {
      shards.withLock(shardIndex(key)) { shard in
        shard[key, default: []].markEstimate(txn: txn)
      }
    }
  }

  /// Whether every read still resolves to the value the incarnation saw. Comparing values
  /// rather than versions lets a re-execution that wrote the same value, or deltas that still
  /// fold to the same total, leave readers above it valid.
  @inlinable
  func validate(_ reads: ContiguousArray<ReadRecord<VM>>, by txn: TxnIndex) -> Bool {
    for read in reads {
      guard case .value(let now) = self.read(read.key, by: txn), now == read.value else {
        return false
      }
    }
    return true
  }

  /// Every key written in the block with its final value. Only called after all workers have
  /// stopped; an ESTIMATE left behind would mean a transaction ended aborted, which the
  /// scheduler must never allow.
  @inlinable
  func finalValues() -> [VM.Key: VM.Value] {
    var result: [VM.Key: VM.Value] = [:]
    for s in 0..<Self.shardCount {
      let pending: [(VM.Key, VM.Delta?)] = shards.withLock(s) { shard in
        var onStorage: [(VM.Key, VM.Delta?)] = []
        for (key, versions) in shard {
          switch Self.fold(versions, below: versions.count) {
          case .value(let value): result[key] = value
          case .storage(let delta): onStorage.append((key, delta))
          case .estimate(let blocker):
            invariantViolation("VersionedMemory: ESTIMATE of txn \(blocker) left when the block finished")
          }
        }
        return onStorage
      }
      for (key, delta) in pending {
        let base = vm.storageValue(key)
        result[key] = delta.map { VM.apply($0, to: base) } ?? base
      }
    }
    return result
  }
}

extension ContiguousArray {
  @inlinable
  mutating func insertOrReplace<VM>(_ entry: VersionedMemory<VM>.Entry)
  where Element == VersionedMemory<VM>.Entry {
    let i = VersionedMemory<VM>.firstIndex(notBelow: entry.txn, in: self)
    if i < count, self[i].txn == entry.txn {
      if self[i].incarnation > entry.incarnation {
        invariantViolation(
          "VersionedMemory: txn \(entry.txn) incarnation \(entry.incarnation) overwriting incarnation \(self[i].incarnation)"
        )
      }
      self[i] = entry
    } else {
      insert(entry, at: i)
    }
  }

  @inlinable
  mutating func markEstimate<VM>(txn: TxnIndex) where Element == VersionedMemory<VM>.Entry {
    let i = VersionedMemory<VM>.firstIndex(notBelow: txn, in: self)
    guard i < count, self[i].txn == txn else {
      invariantViolation("VersionedMemory: aborting txn \(txn) but it has no entry at a key it wrote")
    }
    self[i].cell = .estimate
  }
}

/// Compares a new write set's keys with the previous incarnation's. Write sets are usually a
/// handful of keys, where a quadratic scan beats building a `Set`.
@usableFromInline
struct KeyDifference<VM: BlockSTMVM> {
  @usableFromInline var dropped: [VM.Key] = []
  @usableFromInline var hasNewKey = false

  @inlinable
  init(new: [(VM.Key, WriteOp<VM>)], old: [(VM.Key, WriteOp<VM>)]) {
    if new.count * old.count <= 256 {
      for (key, _) in old where !new.contains(where: { $0.0 == key }) { dropped.append(key) }
      hasNewKey = new.contains { n in !old.contains(where: { $0.0 == n.0 }) }
    } else {
      let newKeys = Set(new.lazy.map(\.0))
      let oldKeys = Set(old.lazy.map(\.0))
      for (key, _) in old where !newKeys.contains(key) { dropped.append(key) }
      hasNewKey = new.contains { !oldKeys.contains($0.0) }
    }
  }
}

/// An invariant of the algorithm was broken: a bug, never a speculative outcome. `fatalError`
/// rather than `preconditionFailure`, because release builds use `-Ounchecked`, where a
/// `preconditionFailure` is assumed unreachable instead of trapping.
@usableFromInline
func invariantViolation(_ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line)
  -> Never
{
  fatalError("Block-STM invariant violated: \(message())", file: file, line: line)
}
