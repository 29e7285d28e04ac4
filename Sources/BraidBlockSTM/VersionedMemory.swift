import Synchronization

/// Multi-version memory: for every key, the writes of each transaction that wrote it, tagged
/// with the incarnation that wrote them, kept sorted by transaction index. A read by
/// transaction `j` resolves to the write of the highest transaction below `j`, folding deltas
/// down to the nearest full value (or to the pre-block storage value when none is below).
///
/// Keys are spread over `shardCount` shards by hash, each behind its own lock (`LockedSlots`), so workers
/// touching different keys rarely meet on a lock; a lock is held only for a table lookup
/// and a short walk of one key's versions, never across a call into the VM.
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
    /// `fromStorage`: nothing below wrote the key; the value is the pre-state's.
    case value(VM.Value, predecessorLikelyWrites: Bool, fromStorage: Bool)
    case estimate(blocker: TxnIndex)
  }

  @usableFromInline typealias Key = HashedKey<VM.Key>
  @usableFromInline typealias Shard = KeyTable<VM>

  /// 256 shards: with a handful of workers the chance that two of them want the same shard
  /// at the same moment is small, and 256 dictionaries cost little to set up.
  @usableFromInline static var shardCount: Int { 256 }

  @usableFromInline let vm: VM
  @usableFromInline let shards: LockedSlots<Shard>
  /// Which keys may have a write: reads of the others skip the shards entirely.
  @usableFromInline let written: WrittenKeys
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
    written = WrittenKeys(expectedKeys: expectedKeys)
  }

  @inlinable
  func hashed(_ key: VM.Key) -> Key { HashedKey(key, hash: vm.keyHash(key)) }

  @inlinable
  func shardIndex(_ key: Key) -> Int {
    key.hash & (Self.shardCount - 1)
  }

  /// What transaction `txn` reads at `key`: the writes of transactions below it only.
  @inlinable
  func read(_ key: Key, by txn: TxnIndex, predict: Bool = false) -> Resolution {
    let (lookup, predicted) = locate(key, by: txn, predict: predict)
    switch lookup {
    case .value(let value): return .value(value, predecessorLikelyWrites: predicted, fromStorage: false)
    case .estimate(let blocker): return .estimate(blocker: blocker)
    case .storage(let pending):
      let base = vm.storageValue(key.key)
      if let delta = pending {
        return .value(VM.apply(delta, to: base), predecessorLikelyWrites: predicted, fromStorage: false)
      }
      return .value(base, predecessorLikelyWrites: predicted, fromStorage: true)
    }
  }

  /// The part of a read done under the shard's lock.
  @inlinable
  func locate(_ key: Key, by txn: TxnIndex, predict: Bool) -> (Lookup, Bool) {
    if !written.mayHaveWriter(key.hash, below: txn) { return (.storage(pendingDelta: nil), false) }
    return shards.withLock(shardIndex(key)) { shard in
      guard let i = shard.find(key) else { return (.storage(pendingDelta: nil), false) }
      return (
        shard.entries[i].versions.lookup(below: txn),
        predict && shard.entries[i].versions.predictsWrite(byPredecessorOf: txn, reach: predictionReach)
      )
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
      write(hashed(key), Entry(txn: version.txn, incarnation: version.incarnation, cell: .write(op)))
    }
    // The first incarnation replaces its seeded ESTIMATEs; those it did not write go.
    for key in hints where !writes.contains(where: { $0.0 == key }) { remove(hashed(key), txn: version.txn) }
    if previous.isEmpty { return !writes.isEmpty }
    let diff = KeyDifference(new: writes, old: previous)
    for key in diff.dropped { remove(hashed(key), txn: version.txn) }
    return diff.hasNewKey
  }

  /// ESTIMATEs for keys a transaction will write, placed before anything executes: those
  /// of `keys` whose shard is `worker` modulo `workers`.
  @inlinable
  func seedEstimates(txn: TxnIndex, keys: [VM.Key], shardsOf worker: Int, of workers: Int) {
    for key in keys {
      let hashedKey = hashed(key)
      if shardIndex(hashedKey) % workers != worker { continue }
      write(hashedKey, Entry(txn: txn, incarnation: 0, cell: .estimate))
    }
  }

  @inlinable
  func write(_ key: Key, _ entry: Entry) {
    written.insert(key.hash, by: entry.txn)
    shards.withLock(shardIndex(key)) { shard in shard.insert(key, entry) }
  }

  @inlinable
  func remove(_ key: Key, txn: TxnIndex) {
    shards.withLock(shardIndex(key)) { shard in
      guard let i = shard.find(key) else { KeyVersions<VM>.missing(txn, "removing") }
      if !shard.entries[i].versions.remove(txn: txn) { shard.remove(entry: i) }
    }
  }

  /// Marks every write of an aborted incarnation as ESTIMATE.
  @inlinable
  func markEstimates(txn: TxnIndex, writes: [(VM.Key, WriteOp<VM>)]) {
    for (plainKey, _) in writes {
      let key = hashed(plainKey)
      shards.withLock(shardIndex(key)) { shard in
        guard let i = shard.find(key) else { KeyVersions<VM>.missing(txn, "aborting") }
        shard.entries[i].versions.markEstimate(txn: txn)
      }
    }
  }

  /// Whether every read still resolves to the value the incarnation saw. Comparing values
  /// rather than versions lets a re-execution that wrote the same value, or deltas that still
  /// fold to the same total, leave readers above it valid.
  @inlinable
  func validate(_ reads: ReadSpan<VM>, by txn: TxnIndex) -> Bool {
    // Each record is looked at in place: copying one out would copy its value (a retain
    // and a release when it holds code) for every read validated.
    let records = reads.records
    for i in records.indices {
      switch locate(records[i].key, by: txn, predict: false).0 {
      case .value(let now):
        if now != records[i].value { return false }
      case .estimate:
        return false
      case .storage(let pending):
        // The pre-state never changes: a read that came from it and still would is valid
        // without asking the pre-state again (a dictionary lookup or a disk read).
        if pending == nil && records[i].fromStorage { continue }
        let base = vm.storageValue(records[i].key.key)
        let now = pending.map { VM.apply($0, to: base) } ?? base
        if now != records[i].value { return false }
      }
    }
    return true
  }

  /// The final value of every key in one shard, in ascending order of key hash (as
  /// unsigned): a VM whose hash gives related keys the same high bits (the EVM: the keys of
  /// one account) gets them next to each other, and can commit them together. Only called
  /// once the block is done (so storage is read under the lock: nobody else wants it). An
  /// ESTIMATE left behind would mean a transaction ended aborted, which the scheduler never
  /// allows.
  @inlinable
  func finalValues(shard index: Int) -> [(VM.Key, VM.Value)] {
    shards.withLock(index) { shard in
      var order: [(hash: UInt, entry: Int)] = []
      order.reserveCapacity(shard.count)
      for i in shard.entries.indices { order.append((UInt(bitPattern: shard.entries[i].hash), i)) }
      order.sort { $0.hash < $1.hash }
      var values: [(VM.Key, VM.Value)] = []
      values.reserveCapacity(shard.count)
      for (_, i) in order {
        let key = shard.entries[i].key
        switch shard.entries[i].versions.lookup(below: .max) {
        case .value(let value): values.append((key, value))
        case .storage(let delta):
          let base = vm.storageValue(key)
          values.append((key, delta.map { VM.apply($0, to: base) } ?? base))
        case .estimate(let blocker):
          invariantViolation("VersionedMemory: ESTIMATE of txn \(blocker) left when the block finished")
        }
      }
      return values
    }
  }
}

/// A key with its hash computed once: the hash picks the shard and the bucket in the shard's
/// `KeyTable` and, kept in the read set, spares validation from hashing the key at all.
@usableFromInline
struct HashedKey<Key: Hashable & Sendable>: Sendable {
  @usableFromInline let key: Key
  /// Never 0: the key table marks empty buckets with 0.
  @usableFromInline let hash: Int

  @inlinable
  init(_ key: Key, hash: Int) {
    self.key = key
    self.hash = hash == 0 ? 1 : hash
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
