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

  /// What a reader sees at one key. `predecessorLikelyWrites`: see
  /// `KeyVersions.predictsWrite(byPredecessorOf:)`.
  @usableFromInline
  enum Resolution {
    case value(VM.Value, predecessorLikelyWrites: Bool)
    case estimate(blocker: TxnIndex)
  }

  @usableFromInline typealias Key = HashedKey<VM.Key>
  @usableFromInline typealias Shard = [Key: KeyVersions<VM>]

  /// 256 shards: with a handful of workers the chance that two of them want the same shard
  /// at the same moment is small, and 256 dictionaries cost little to set up.
  @usableFromInline static var shardCount: Int { 256 }

  @usableFromInline let vm: VM
  @usableFromInline let shards: LockedSlots<Shard>
  /// See `KeyVersions.predictsWrite(byPredecessorOf:reach:)`.
  @usableFromInline let predictionReach: Int

  /// `expectedKeys` sizes the shards up front, so that they are not rehashed while other
  /// workers wait on their locks.
  @inlinable
  init(vm: VM, expectedKeys: Int, workers: Int) {
    self.vm = vm
    predictionReach = workers
    let perShard = expectedKeys / Self.shardCount
    shards = LockedSlots(count: Self.shardCount) { _ in Shard(minimumCapacity: perShard) }
  }

  @inlinable
  func shardIndex(_ key: Key) -> Int {
    key.hash & (Self.shardCount - 1)
  }

  /// What transaction `txn` reads at `key`: the writes of transactions below it only.
  @inlinable
  func read(_ key: Key, by txn: TxnIndex, predict: Bool = false) -> Resolution {
    let (lookup, predicted): (Lookup, Bool) = shards.withLock(shardIndex(key)) { shard in
      guard let versions = shard[key] else { return (.storage(pendingDelta: nil), false) }
      return (versions.lookup(below: txn), predict && versions.predictsWrite(byPredecessorOf: txn, reach: predictionReach))
    }
    switch lookup {
    case .value(let value): return .value(value, predecessorLikelyWrites: predicted)
    case .estimate(let blocker): return .estimate(blocker: blocker)
    case .storage(let pending):
      let base = vm.storageValue(key.key)
      if let delta = pending { return .value(VM.apply(delta, to: base), predecessorLikelyWrites: predicted) }
      return .value(base, predecessorLikelyWrites: predicted)
    }
  }

  /// Publishes the write set of `version`, replacing what its earlier incarnation left, and
  /// removes the entries of keys the earlier incarnation wrote and this one does not.
  /// Returns whether this incarnation wrote a key the previous one did not: readers above may
  /// have resolved past that key, so they must all be validated again.
  @inlinable
  func record(
    _ version: Version, writes: [(VM.Key, WriteOp<VM>)], previous: [(VM.Key, WriteOp<VM>)],
    hints: [VM.Key] = []
  ) -> Bool {
    for (key, op) in writes {
      write(Key(key), Entry(txn: version.txn, incarnation: version.incarnation, cell: .write(op)))
    }
    // The first incarnation replaces its seeded ESTIMATEs; those it did not write go.
    for key in hints where !writes.contains(where: { $0.0 == key }) { remove(Key(key), txn: version.txn) }
    if previous.isEmpty { return !writes.isEmpty }
    let diff = KeyDifference(new: writes, old: previous)
    for key in diff.dropped { remove(Key(key), txn: version.txn) }
    return diff.hasNewKey
  }

  /// ESTIMATEs for keys a transaction will write, placed before anything executes.
  @inlinable
  func seedEstimates(txn: TxnIndex, keys: [VM.Key]) {
    for key in keys { write(Key(key), Entry(txn: txn, incarnation: 0, cell: .estimate)) }
  }

  @inlinable
  func write(_ key: Key, _ entry: Entry) {
    shards.withLock(shardIndex(key)) { shard in
      if let i = shard.index(forKey: key) {
        shard.values[i].insertOrReplace(entry)
      } else {
        shard[key] = .one(entry)
      }
    }
  }

  @inlinable
  func remove(_ key: Key, txn: TxnIndex) {
    shards.withLock(shardIndex(key)) { shard in
      guard let i = shard.index(forKey: key) else { KeyVersions<VM>.missing(txn, "removing") }
      if !shard.values[i].remove(txn: txn) { shard.remove(at: i) }
    }
  }

  /// Marks every write of an aborted incarnation as ESTIMATE.
  @inlinable
  func markEstimates(txn: TxnIndex, writes: [(VM.Key, WriteOp<VM>)]) {
    for (plainKey, _) in writes {
      let key = Key(plainKey)
      shards.withLock(shardIndex(key)) { shard in
        guard let i = shard.index(forKey: key) else { KeyVersions<VM>.missing(txn, "aborting") }
        shard.values[i].markEstimate(txn: txn)
      }
    }
  }

  /// Whether every read still resolves to the value the incarnation saw. Comparing values
  /// rather than versions lets a re-execution that wrote the same value, or deltas that still
  /// fold to the same total, leave readers above it valid.
  @inlinable
  func validate(_ reads: ContiguousArray<ReadRecord<VM>>, by txn: TxnIndex) -> Bool {
    for read in reads {
      guard case .value(let now, _) = self.read(read.key, by: txn), now == read.value else {
        return false
      }
    }
    return true
  }

  /// The final value of every key in one shard. Only called once the block is done (so
  /// storage is read under the lock: nobody else wants it). An ESTIMATE left behind would
  /// mean a transaction ended aborted, which the scheduler never allows.
  @inlinable
  func finalValues(shard index: Int) -> [(VM.Key, VM.Value)] {
    shards.withLock(index) { shard in
      var values: [(VM.Key, VM.Value)] = []
      values.reserveCapacity(shard.count)
      for (key, versions) in shard {
        switch versions.lookup(below: .max) {
        case .value(let value): values.append((key.key, value))
        case .storage(let delta):
          let base = vm.storageValue(key.key)
          values.append((key.key, delta.map { VM.apply($0, to: base) } ?? base))
        case .estimate(let blocker):
          invariantViolation("VersionedMemory: ESTIMATE of txn \(blocker) left when the block finished")
        }
      }
      return values
    }
  }
}

/// A key with its hash computed once: the hash picks the shard, feeds the shard's dictionary
/// (hashing one `Int` there instead of the whole key again) and, kept in the read set, spares
/// validation from hashing the key at all.
@usableFromInline
struct HashedKey<Key: Hashable & Sendable>: Hashable, Sendable {
  @usableFromInline let key: Key
  @usableFromInline let hash: Int

  @inlinable
  init(_ key: Key) {
    self.key = key
    hash = key.hashValue
  }

  @inlinable
  func hash(into hasher: inout Hasher) { hasher.combine(hash) }

  @inlinable
  static func == (a: Self, b: Self) -> Bool { a.hash == b.hash && a.key == b.key }
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
