/// The polling filters of the JSON-RPC API (eth_newFilter, eth_newBlockFilter,
/// eth_newPendingTransactionFilter, then eth_getFilterChanges until eth_uninstallFilter):
/// how clients without a WebSocket watch a chain. web3.py's `w3.eth.filter`, viem's
/// `createEventFilter` and `watchEvent` over HTTP, and ethers' filter subscriptions use them.
///
/// A filter remembers only where its client stopped reading: the last block it was shown
/// and, for a pending-transaction filter, the hashes accepted since. Logs and block hashes
/// are read from the chain when polled, so a filter costs the same whatever the traffic.
/// As in geth, a filter nobody polls for five minutes is dropped.
import BraidPrimitives
import Synchronization

final class FilterRegistry: Sendable {
  enum Kind: Sendable {
    case logs(LogCriteria)
    case blocks
    case pendingTransactions
  }

  struct Filter: Sendable {
    let kind: Kind
    /// The newest block whose logs or hash the client has been given (or that was the
    /// head when the filter was made).
    var lastBlock: UInt64
    /// Hashes accepted since the last poll (pending-transaction filters).
    var pending: [Hash32] = []
    var lastPolled: ContinuousClock.Instant
  }

  /// What a poll hands out: the filter's kind, the first block not yet shown, and the
  /// pending hashes, which the poll takes.
  struct Poll: Sendable {
    let kind: Kind
    let firstNewBlock: UInt64
    let pending: [Hash32]
  }

  let timeout: Duration
  let maxFilters: Int
  /// Pending hashes kept per filter; a client that stops polling loses the oldest.
  let maxPendingPerFilter: Int

  private struct Table: Sendable {
    var filters: [String: Filter] = [:]
    var lastSweep: ContinuousClock.Instant
  }

  private let table: Mutex<Table>
  /// How many pending-transaction filters exist, read without the lock on every
  /// accepted transaction: with none (the usual case) acceptance never touches the table.
  private let pendingFilterCount = Atomic<Int>(0)

  init(timeout: Duration = .seconds(300), maxFilters: Int = 10_000, maxPendingPerFilter: Int = 10_000) {
    self.timeout = timeout
    self.maxFilters = maxFilters
    self.maxPendingPerFilter = maxPendingPerFilter
    table = Mutex(Table(lastSweep: .now))
  }

  /// Installs a filter whose changes start after block `head`; nil when the registry is full.
  func install(_ kind: Kind, head: UInt64) -> String? {
    let id = Self.newID()
    let now = ContinuousClock.now
    return table.withLock { t -> String? in
      sweep(&t, now: now)
      guard t.filters.count < maxFilters else { return nil }
      t.filters[id] = Filter(kind: kind, lastBlock: head, lastPolled: now)
      if case .pendingTransactions = kind { pendingFilterCount.add(1, ordering: .relaxed) }
      return id
    }
  }

  /// Marks everything up to `head` as shown and hands out what was new; nil for an unknown
  /// (or expired) id.
  func poll(_ id: String, head: UInt64) -> Poll? {
    let now = ContinuousClock.now
    return table.withLock { t -> Poll? in
      sweep(&t, now: now)
      guard var filter = t.filters[id] else { return nil }
      let first = filter.lastBlock &+ 1
      let pending = filter.pending
      filter.pending = []
      filter.lastBlock = max(filter.lastBlock, head)
      filter.lastPolled = now
      t.filters[id] = filter
      return Poll(kind: filter.kind, firstNewBlock: first, pending: pending)
    }
  }

  /// Marks the blocks after `block` as not shown after all (a poll that could not answer).
  func rewind(_ id: String, toBlock block: UInt64) {
    table.withLock { t in
      if t.filters[id] != nil { t.filters[id]!.lastBlock = min(t.filters[id]!.lastBlock, block) }
    }
  }

  /// The filter's kind without consuming its changes (eth_getFilterLogs); it counts as a poll
  /// for the timeout.
  func kind(of id: String) -> Kind? {
    let now = ContinuousClock.now
    return table.withLock { t -> Kind? in
      sweep(&t, now: now)
      t.filters[id]?.lastPolled = now
      return t.filters[id]?.kind
    }
  }

  func uninstall(_ id: String) -> Bool {
    table.withLock { t in
      guard let removed = t.filters.removeValue(forKey: id) else { return false }
      if case .pendingTransactions = removed.kind { pendingFilterCount.subtract(1, ordering: .relaxed) }
      return true
    }
  }

  /// A transaction was accepted into the pool.
  func accepted(_ hash: Hash32) {
    guard pendingFilterCount.load(ordering: .relaxed) > 0 else { return }
    table.withLock { t in
      for (id, filter) in t.filters {
        guard case .pendingTransactions = filter.kind else { continue }
        t.filters[id]!.pending.append(hash)
        // Trimmed in halves, so that a full buffer does not shift on every append.
        if t.filters[id]!.pending.count >= 2 * maxPendingPerFilter {
          t.filters[id]!.pending.removeFirst(maxPendingPerFilter)
        }
      }
    }
  }

  var count: Int { table.withLock { $0.filters.count } }

  /// Drops the filters nobody polled within the timeout, at most a few times per timeout:
  /// a sweep walks every filter.
  private func sweep(_ t: inout Table, now: ContinuousClock.Instant) {
    guard now - t.lastSweep >= timeout / 8 else { return }
    t.lastSweep = now
    let expired = t.filters.filter { now - $0.value.lastPolled >= timeout }
    for (id, filter) in expired {
      t.filters[id] = nil
      if case .pendingTransactions = filter.kind { pendingFilterCount.subtract(1, ordering: .relaxed) }
    }
  }

  /// 128 random bits in hex without leading zeros, the shape of geth's filter ids.
  static func newID() -> String {
    var generator = SystemRandomNumberGenerator()
    let high = generator.next() as UInt64
    let low = generator.next() as UInt64
    let digits = String(high, radix: 16) + String(repeating: "0", count: 16 - String(low, radix: 16).count)
      + String(low, radix: 16)
    let trimmed = digits.drop { $0 == "0" }
    return "0x" + (trimmed.isEmpty ? "0" : trimmed)
  }
}
