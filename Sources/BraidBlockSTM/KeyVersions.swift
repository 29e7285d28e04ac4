/// The writes at one key of versioned memory, sorted by transaction index. Most keys of a
/// block are written by one transaction only (a sender's nonce, a recipient's balance), so
/// that case is stored inline and costs no allocation; a key written by several
/// transactions keeps an array.
@usableFromInline
enum KeyVersions<VM: BlockSTMVM>: Sendable {
  @usableFromInline typealias Entry = VersionedMemory<VM>.Entry
  @usableFromInline typealias Lookup = VersionedMemory<VM>.Lookup

  case one(Entry)
  /// At least two entries, ascending by transaction, one per transaction.
  case many(ContiguousArray<Entry>)

  /// Index of the first entry whose transaction is not below `txn`.
  @inlinable
  static func firstIndex(notBelow txn: TxnIndex, in entries: ContiguousArray<Entry>) -> Int {
    // Transactions mostly execute in index order, so the usual answer is the end: on a key
    // every transaction writes (the coinbase's fee credits) a search from the middle would
    // touch a dozen cache lines of a long array for each write.
    if let last = entries.last, last.txn < txn { return entries.count }
    // The answer is in low ..< high, and entries[high - 1] is not below `txn`. A key written
    // by a run of transactions (one sender's nonce, seeded with an ESTIMATE for each of its
    // transactions before any runs) has entries spread almost evenly over their indices:
    // guessing the position from the indices at both ends lands on or next to the answer,
    // where halving a ten-thousand-entry list touched a dozen cache lines for every read
    // and write of such a key. A few guesses, then halving what is left.
    var low = 0
    var high = entries.count
    var guesses = 0
    while high - low > 8 && guesses < 3 {
      guesses &+= 1
      let lowTxn = entries[low].txn
      if lowTxn >= txn { return low }
      let highTxn = entries[high &- 1].txn
      // lowTxn < txn <= highTxn, so the guess lies in low ... high - 1.
      let guess = low &+ (txn &- lowTxn) &* (high &- 1 &- low) / (highTxn &- lowTxn)
      if entries[guess].txn >= txn {
        // guess > low, since entries[low] is below txn.
        if entries[guess &- 1].txn < txn { return guess }
        high = guess
      } else {
        low = guess &+ 1
      }
    }
    while low < high {
      let mid = (low &+ high) >> 1
      if entries[mid].txn < txn { low = mid &+ 1 } else { high = mid }
    }
    return low
  }

  /// What transaction `txn` sees here: the highest entry below it, with the deltas on the way
  /// down folded onto the first full value, stopping at an ESTIMATE. `Int.max` sees all.
  @inlinable
  func lookup(below txn: TxnIndex) -> Lookup {
    switch self {
    case .one(let entry):
      guard entry.txn < txn else { return .storage(pendingDelta: nil) }
      switch entry.cell {
      case .estimate: return .estimate(blocker: entry.txn)
      case .write(.value(let value)): return .value(value)
      case .write(.delta(let delta)): return .storage(pendingDelta: delta)
      }
    case .many(let entries):
      var pending: VM.Delta? = nil
      var i = Self.firstIndex(notBelow: txn, in: entries)
      while i > 0 {
        i &-= 1
        switch entries[i].cell {
        case .estimate:
          return .estimate(blocker: entries[i].txn)
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
  }

  /// Whether the transaction just below `txn` will probably write here although it has not
  /// yet: the two highest writers below `txn` are close together (at most 2 apart) and close
  /// to `txn` (within `reach`, the number of workers, which is how many transactions can be
  /// in flight at once). That is a key every transaction writes (a counter, a shared pool,
  /// one sender's nonce), where a reader that does not wait for its predecessor reads a value
  /// about to be overwritten, and is executed in vain.
  /// Only entries that hold a write count: an ESTIMATE seeded from a write hint says
  /// nothing about how often the key is written, and counting it made every reader near a
  /// hinted transaction wait for its predecessor.
  @inlinable
  func predictsWrite(byPredecessorOf txn: TxnIndex, reach: Int) -> Bool {
    guard case .many(let entries) = self else { return false }
    var i = Self.firstIndex(notBelow: txn, in: entries)
    var writers: (TxnIndex, TxnIndex) = (-1, -1)
    var found = 0
    while i > 0 && found < 2 {
      i -= 1
      guard case .write = entries[i].cell else { continue }
      if found == 0 { writers.0 = entries[i].txn } else { writers.1 = entries[i].txn }
      found += 1
    }
    guard found == 2 else { return false }
    let top = writers.0
    return top < txn - 1 && top >= txn - 1 - reach && writers.1 >= top - 2
  }

  /// Adds the entry of a transaction, or replaces the one it wrote in an earlier incarnation.
  /// The entry is consumed and every case moves it into place: an entry holds a value that
  /// may carry a reference (code), so each extra copy was a retain and a release.
  @inlinable
  mutating func insertOrReplace(_ entry: consuming Entry) {
    switch consume self {
    case .one(let existing):
      if existing.txn == entry.txn {
        Self.checkIncarnation(replacing: existing, with: entry)
        self = .one(entry)
      } else if existing.txn < entry.txn {
        self = .many([existing, entry])
      } else {
        self = .many([entry, existing])
      }
    case .many(var entries):
      let i = Self.firstIndex(notBelow: entry.txn, in: entries)
      if i == entries.count {
        // The usual case: transactions mostly finish in index order.
        entries.append(entry)
      } else if entries[i].txn == entry.txn {
        Self.checkIncarnation(replacing: entries[i], with: entry)
        entries[i] = entry
      } else {
        entries.insert(entry, at: i)
      }
      self = .many(entries)
    }
  }

  @inlinable
  static func checkIncarnation(replacing old: Entry, with new: Entry) {
    if old.incarnation > new.incarnation {
      invariantViolation(
        "VersionedMemory: txn \(new.txn) incarnation \(new.incarnation) overwriting incarnation \(old.incarnation)")
    }
  }

  /// Removes the entry of `txn`. Returns false when none is left (the key must then go).
  @inlinable
  mutating func remove(txn: TxnIndex) -> Bool {
    switch self {
    case .one(let entry):
      guard entry.txn == txn else { Self.missing(txn, "removing") }
      return false
    case .many(var entries):
      self = .many([])
      let i = Self.firstIndex(notBelow: txn, in: entries)
      guard i < entries.count, entries[i].txn == txn else { Self.missing(txn, "removing") }
      entries.remove(at: i)
      self = entries.count == 1 ? .one(entries[0]) : .many(entries)
      return true
    }
  }

  /// Turns the entry of `txn` into an ESTIMATE.
  @inlinable
  mutating func markEstimate(txn: TxnIndex) {
    switch self {
    case .one(var entry):
      guard entry.txn == txn else { Self.missing(txn, "aborting") }
      entry.cell = .estimate
      self = .one(entry)
    case .many(var entries):
      self = .many([])
      let i = Self.firstIndex(notBelow: txn, in: entries)
      guard i < entries.count, entries[i].txn == txn else { Self.missing(txn, "aborting") }
      entries[i].cell = .estimate
      self = .many(entries)
    }
  }

  @inlinable
  static func missing(_ txn: TxnIndex, _ doing: String) -> Never {
    invariantViolation("VersionedMemory: \(doing) txn \(txn), which has no entry at a key it wrote")
  }
}
