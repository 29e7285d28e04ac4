/// Admitted transactions waiting for a block, queued per sender by nonce.
///
/// A sender's queue splits in two: *pending* is the run of consecutive nonces starting at
/// the sender's nonce in the head state, executable one after the other; *future* is
/// everything after a gap, kept until the gap fills. Only pending transactions go into
/// blocks. The pool holds the head state (in the node, a view of the head block, which does
/// not see a block being applied) and is updated in the same critical section as the chain's
/// head (`commit`), so an admission never checks a nonce against a state the pool has
/// already moved past.
///
/// With a submission journal (`journaling`), a transaction is selectable for a block only
/// once its journal entry is durable (`markJournaled`): a block can then delete exactly the
/// entries of what it includes, in its own commit, and no journal entry outlives its
/// transaction's inclusion. Entries of transactions that leave the pool any other way
/// (replaced, evicted, dropped) are collected for the next block to delete.
import BraidEVM
import BraidPrimitives
import Synchronization

/// A pooled transaction and its place in the order of admission.
///
/// A class, not a struct: a signed transaction is a few hundred bytes holding several
/// references, and the pool keeps each one in two tables, sorts them into a selection heap
/// and hands them to the sequencer, so as a value every move was a large copy plus a
/// retain per field. Immutable, hence Sendable.
public final class PoolTransaction: Sendable {
  public let signed: SignedTransaction
  /// Order of admission, for deterministic tie-breaking.
  public let arrival: UInt64

  public init(signed: SignedTransaction, arrival: UInt64) {
    self.signed = signed
    self.arrival = arrival
  }

  public var transaction: Transaction { signed.transaction }
  public var sender: Address { signed.transaction.sender }
  public var nonce: UInt64 { signed.transaction.nonce }
  public var hash: Hash32 { signed.hash }

  /// What a block with this base fee pays the coinbase per gas: min(tip, cap − base fee).
  public func effectiveTip(baseFee: UInt256) -> UInt256 {
    let t = transaction
    return t.maxFeePerGas < baseFee ? .zero : min(t.maxPriorityFeePerGas, t.maxFeePerGas &- baseFee)
  }
}

/// How much is ready for a block: pending transactions and the sum of their gas limits.
public struct PendingLoad: Sendable, Equatable {
  public var count: Int
  public var gas: UInt64

  public static let none = PendingLoad(count: 0, gas: 0)
}

public struct MempoolLimits: Sendable {
  /// Future (gapped) transactions one sender may hold, like geth's AccountQueue.
  public var maxFuturePerSender: Int
  /// Transactions in the whole pool.
  public var maxTotal: Int
  /// A replacement must raise both fee fields by this many percent.
  public var priceBumpPercent: UInt64

  public init(maxFuturePerSender: Int = 64, maxTotal: Int = 100_000, priceBumpPercent: UInt64 = 10) {
    self.maxFuturePerSender = maxFuturePerSender
    self.maxTotal = maxTotal
    self.priceBumpPercent = priceBumpPercent
  }
}

public final class Mempool: Sendable {
  struct SenderQueue {
    var stateNonce: UInt64
    var txs: [UInt64: PoolTransaction] = [:]
    /// One past the last pending nonce: txs[stateNonce..<pendingEnd] all exist.
    var pendingEnd: UInt64
    /// The gas limits of the pending run, summed.
    var pendingGas: UInt64 = 0

    init(stateNonce: UInt64) {
      self.stateNonce = stateNonce
      self.pendingEnd = stateNonce
    }

    var pendingCount: Int { Int(pendingEnd - stateNonce) }
    var futureCount: Int { txs.count - pendingCount }

    mutating func extendPending() {
      while let t = txs[pendingEnd] {
        pendingGas += t.transaction.gasLimit
        pendingEnd += 1
      }
    }
  }

  struct Pool {
    var head: PoolHead
    var baseFee: UInt256
    var senders: [Address: SenderQueue] = [:]
    var byHash: [Hash32: PoolTransaction] = [:]
    var pendingCount = 0
    var pendingGas: UInt64 = 0
    var load: PendingLoad { PendingLoad(count: pendingCount, gas: pendingGas) }
    var nextArrival: UInt64 = 0
    /// Why recent transactions were refused or dropped, oldest first out.
    var rejected: [Hash32: String] = [:]
    var rejectedOrder: [Hash32] = []
    /// Journal sequence of each pooled transaction whose entry is durable.
    var journaled: [Hash32: UInt64] = [:]
    /// Entries whose transactions left the pool without a block taking them.
    var journalGarbage: [UInt64] = []

    mutating func forgetJournal(_ hash: Hash32) {
      if let s = journaled.removeValue(forKey: hash) { journalGarbage.append(s) }
    }
  }

  public let rules: AdmissionRules
  public let limits: MempoolLimits
  /// Whether only journaled transactions may go into blocks.
  public let journaling: Bool
  private let pool: Mutex<Pool>
  /// Called outside the lock with the pending load before and after a change, so the
  /// sequencer can wake when the pool stops being empty or holds a full block.
  private let onPendingChange: @Sendable (_ before: PendingLoad, _ after: PendingLoad) -> Void
  private static let rejectedMemory = 100_000

  public init(
    rules: AdmissionRules, limits: MempoolLimits = MempoolLimits(), head: PoolHead, baseFee: UInt256,
    journaling: Bool = false,
    onPendingChange: @escaping @Sendable (_ before: PendingLoad, _ after: PendingLoad) -> Void = { _, _ in }
  ) {
    self.rules = rules
    self.limits = limits
    self.journaling = journaling
    self.pool = Mutex(Pool(head: head, baseFee: baseFee))
    self.onPendingChange = onPendingChange
  }

  // MARK: Admission

  /// Decodes, checks and queues a raw transaction. Signature recovery, the expensive
  /// part, runs before the pool's lock is taken.
  public func add(raw: Bytes) -> Result<SignedTransaction, AdmissionError> {
    do {
      let signed = try rules.decode(raw)
      return add(signed).map { signed }
    } catch {
      // Undecodable bytes have no hash worth remembering.
      return .failure(error)
    }
  }

  /// Queues a decoded transaction, checking it against the head state and the pool.
  public func add(_ signed: SignedTransaction) -> Result<Void, AdmissionError> {
    let result: (Result<Void, AdmissionError>, (PendingLoad, PendingLoad)?) = pool.withLock { p in
      do throws(AdmissionError) {
        let before = p.load
        try insert(signed, into: &p)
        return (.success(()), p.load != before ? (before, p.load) : nil)
      } catch {
        // A duplicate says nothing about the transaction already known under that hash.
        if error != .alreadyKnown { Self.remember(signed.hash, error.message, in: &p) }
        return (.failure(error), nil)
      }
    }
    if let (before, after) = result.1 { onPendingChange(before, after) }
    return result.0
  }

  private func insert(_ signed: SignedTransaction, into p: inout Pool) throws(AdmissionError) {
    if p.byHash[signed.hash] != nil { throw .alreadyKnown }
    let tx = signed.transaction
    let sender = tx.sender
    try rules.check(tx, baseFee: p.baseFee)
    let account = p.head.account(sender)
    let stateNonce = account?.nonce ?? 0
    if tx.nonce < stateNonce { throw .nonceTooLow(next: stateNonce, got: tx.nonce) }
    // EIP-3607: code at the sender means no key controls it.
    if let code = account?.code, !code.isEmpty { throw .senderNotEOA }
    guard let cost = AdmissionRules.maxCost(tx), cost <= (account?.balance ?? .zero) else {
      throw .insufficientFunds
    }

    var queue = p.senders[sender] ?? SenderQueue(stateNonce: stateNonce)
    let entry = PoolTransaction(signed: signed, arrival: p.nextArrival)
    if let old = queue.txs[tx.nonce] {
      guard isSufficientBump(old.transaction, tx) else { throw .replacementUnderpriced }
      p.byHash[old.hash] = nil
      p.forgetJournal(old.hash)
      Self.remember(old.hash, "replaced by \(signed.hash)", in: &p)
      queue.txs[tx.nonce] = entry
      if tx.nonce < queue.pendingEnd {
        queue.pendingGas = queue.pendingGas - old.transaction.gasLimit + tx.gasLimit
        p.pendingGas = p.pendingGas - old.transaction.gasLimit + tx.gasLimit
      }
    } else {
      let isFuture = tx.nonce > queue.pendingEnd
      if isFuture && queue.futureCount >= limits.maxFuturePerSender {
        // Keep the nonces closest to executable: evict the sender's highest one if it is
        // beyond this one.
        guard let highest = queue.txs.keys.max(), highest > tx.nonce, highest >= queue.pendingEnd else {
          throw .poolFull
        }
        drop(highest, of: &queue, in: &p, reason: "dropped: account queue full")
      }
      if p.byHash.count >= limits.maxTotal {
        try evictLowestFuture(toAdmit: entry, isFuture: isFuture, in: &p, sameSender: &queue)
      }
      queue.txs[tx.nonce] = entry
      let (count, gas) = (queue.pendingCount, queue.pendingGas)
      queue.extendPending()
      p.pendingCount += queue.pendingCount - count
      p.pendingGas += queue.pendingGas - gas
    }
    p.nextArrival += 1
    p.byHash[signed.hash] = entry
    p.senders[sender] = queue
  }

  /// geth's rule: both the fee cap and the tip must rise by the price bump.
  private func isSufficientBump(_ old: Transaction, _ new: Transaction) -> Bool {
    let bump = UInt256(100 + limits.priceBumpPercent)
    let hundred = UInt256(100)
    return !(new.maxFeePerGas &* hundred < old.maxFeePerGas &* bump)
      && !(new.maxPriorityFeePerGas &* hundred < old.maxPriorityFeePerGas &* bump)
  }

  /// When the pool is full, the future transaction paying the least makes room, unless the
  /// newcomer is itself a future paying no more. Pending transactions are never evicted:
  /// they are what the next blocks are made of.
  private func evictLowestFuture(
    toAdmit entry: PoolTransaction, isFuture: Bool, in p: inout Pool, sameSender queue: inout SenderQueue
  ) throws(AdmissionError) {
    var victim: PoolTransaction?
    let senderOfEntry = entry.sender
    for (address, q) in p.senders where q.futureCount > 0 {
      let source = address == senderOfEntry ? queue : q
      for (nonce, t) in source.txs where nonce >= source.pendingEnd {
        if victim == nil || t.transaction.maxFeePerGas < victim!.transaction.maxFeePerGas { victim = t }
      }
    }
    guard let victim, !isFuture || victim.transaction.maxFeePerGas < entry.transaction.maxFeePerGas else {
      throw .poolFull
    }
    if victim.sender == senderOfEntry {
      drop(victim.nonce, of: &queue, in: &p, reason: "dropped: txpool is full")
    } else if var q = p.senders[victim.sender] {
      drop(victim.nonce, of: &q, in: &p, reason: "dropped: txpool is full")
      p.senders[victim.sender] = q.txs.isEmpty ? nil : q
    }
  }

  /// Removes a future transaction (pending ones leave through `commit`).
  private func drop(_ nonce: UInt64, of queue: inout SenderQueue, in p: inout Pool, reason: String) {
    guard let t = queue.txs.removeValue(forKey: nonce) else { return }
    p.byHash[t.hash] = nil
    p.forgetJournal(t.hash)
    Self.remember(t.hash, reason, in: &p)
  }

  private static func remember(_ hash: Hash32, _ reason: String, in p: inout Pool) {
    if p.rejected.updateValue(reason, forKey: hash) == nil { p.rejectedOrder.append(hash) }
    if p.rejectedOrder.count > rejectedMemory {
      let old = p.rejectedOrder.prefix(rejectedMemory / 2)
      for h in old { p.rejected[h] = nil }
      p.rejectedOrder.removeFirst(old.count)
    }
  }

  // MARK: Queries

  public var pendingCount: Int { pool.withLock { $0.pendingCount } }
  public var pendingLoad: PendingLoad { pool.withLock { $0.load } }
  public var count: Int { pool.withLock { $0.byHash.count } }

  /// The nonce the sender's next transaction should carry: past its pending run.
  public func pendingNonce(of address: Address) -> UInt64 {
    pool.withLock { p in p.senders[address]?.pendingEnd ?? p.head.nonce(of: address) }
  }

  public func transaction(hash: Hash32) -> PoolTransaction? { pool.withLock { $0.byHash[hash] } }

  public typealias PooledEntry = (sender: Address, transaction: PoolTransaction, pending: Bool)

  /// Every pooled transaction of `sender` (nil: of every sender), with whether it is
  /// pending (next in its sender's nonce run) or future (behind a gap).
  public func content(of sender: Address?) -> [PooledEntry] {
    pool.withLock { p in
      var out: [PooledEntry] = []
      func add(_ address: Address, _ queue: SenderQueue) {
        for (nonce, t) in queue.txs { out.append((address, t, nonce < queue.pendingEnd)) }
      }
      if let sender {
        if let queue = p.senders[sender] { add(sender, queue) }
      } else {
        for (address, queue) in p.senders { add(address, queue) }
      }
      return out
    }
  }

  public func rejectionReason(hash: Hash32) -> String? { pool.withLock { $0.rejected[hash] } }

  public func isPending(hash: Hash32) -> Bool {
    pool.withLock { p in
      guard let t = p.byHash[hash], let q = p.senders[t.sender] else { return false }
      return t.nonce < q.pendingEnd
    }
  }

  // MARK: Journal

  /// Records that these transactions' journal entries are durable, making them
  /// selectable. An entry whose transaction has left the pool meanwhile is garbage.
  public func markJournaled(_ entries: [(hash: Hash32, sequence: UInt64)]) {
    let load: PendingLoad = pool.withLock { p in
      for (hash, sequence) in entries {
        if p.byHash[hash] != nil {
          p.journaled[hash] = sequence
        } else {
          p.journalGarbage.append(sequence)
        }
      }
      return p.load
    }
    // Newly selectable work: let the sequencer look again.
    if load.count > 0 { onPendingChange(.none, load) }
  }

  /// Takes the journal entries a block commit should delete: those of `hashes` (the
  /// block's transactions and the ones it drops) and every entry left behind by a
  /// transaction that left the pool. Taken entries are forgotten here, so the block that
  /// deletes them must commit (a failed commit stops the node).
  public func claimJournalEntries(for hashes: some Sequence<Hash32>) -> [UInt64] {
    pool.withLock { p in
      var out = p.journalGarbage
      p.journalGarbage = []
      for hash in hashes {
        if let s = p.journaled.removeValue(forKey: hash) { out.append(s) }
      }
      return out
    }
  }

  /// How many pooled transactions are journaled (for tests and metrics).
  public var journaledCount: Int { pool.withLock { $0.journaled.count } }

  // MARK: Blocks

  /// The next block's transactions: each sender's pending run in nonce order, senders
  /// interleaved by the effective tip of their next transaction, then by arrival. The sum
  /// of gas limits stays within `gasLimit`, so no transaction is excluded for block gas. A
  /// sender whose next fee cap is below the base fee waits (with its later nonces) for the
  /// base fee to fall, as in geth, instead of being executed only to be excluded.
  public func selectPending(maxCount: Int, gasLimit: UInt64) -> [PoolTransaction] {
    pool.withLock { p in
      var heap = SelectionHeap(baseFee: p.baseFee)
      let journaling = self.journaling
      // Not yet durable: the sender waits (with its later nonces) for the journal.
      func ready(_ t: PoolTransaction) -> Bool {
        !(t.transaction.maxFeePerGas < p.baseFee) && (!journaling || p.journaled[t.hash] != nil)
      }
      for q in p.senders.values where q.pendingCount > 0 {
        if let t = q.txs[q.stateNonce], ready(t) { heap.push(t) }
      }
      var out: [PoolTransaction] = []
      var gas: UInt64 = 0
      while out.count < maxCount, let t = heap.pop() {
        // A sender whose next transaction does not fit stops here: its later nonces
        // cannot run without it.
        guard gas + t.transaction.gasLimit <= gasLimit else { continue }
        gas += t.transaction.gasLimit
        out.append(t)
        if let q = p.senders[t.sender], t.nonce + 1 < q.pendingEnd, let next = q.txs[t.nonce + 1], ready(next)
        {
          heap.push(next)
        }
      }
      return out
    }
  }

  /// Advances the pool to a new head, inside one critical section with `publish` (which
  /// advances the chain), so admissions see either the old head and old queues or the new
  /// ones. Included transactions leave because the state nonce passed them; excluded ones
  /// leave with their reason, except a nonce gap, which only makes them future again.
  public func commit(
    head: InMemoryState, nextBaseFee: UInt256, senders: Set<Address>,
    excluded: [(PoolTransaction, TransactionError)],
    publish: () -> Void
  ) {
    commit(nextBaseFee: nextBaseFee, senders: senders, excluded: excluded) {
      publish()
      return .state(head)
    }
  }

  /// `commit` where `publish` returns the new head: a view of the state that only exists
  /// once the block is published.
  public func commit(
    nextBaseFee: UInt256, senders: Set<Address>, excluded: [(PoolTransaction, TransactionError)],
    publish: () -> PoolHead
  ) {
    let pending: PendingLoad = pool.withLock { p in
      let head = publish()
      p.head = head
      p.baseFee = nextBaseFee
      var touched = senders
      for (t, error) in excluded {
        touched.insert(t.sender)
        if case .nonceTooHigh = error { continue }
        guard var q = p.senders[t.sender], q.txs[t.nonce]?.hash == t.hash else { continue }
        q.txs[t.nonce] = nil
        p.byHash[t.hash] = nil
        p.forgetJournal(t.hash)
        Self.remember(t.hash, error.description, in: &p)
        p.senders[t.sender] = q
      }
      for sender in touched {
        guard var q = p.senders[sender] else { continue }
        p.pendingCount -= q.pendingCount
        p.pendingGas -= q.pendingGas
        let nonce = head.nonce(of: sender)
        for n in q.txs.keys where n < nonce {
          if let t = q.txs.removeValue(forKey: n) {
            p.byHash[t.hash] = nil
            p.forgetJournal(t.hash)
          }
        }
        q.stateNonce = nonce
        q.pendingEnd = nonce
        q.pendingGas = 0
        q.extendPending()
        p.pendingCount += q.pendingCount
        p.pendingGas += q.pendingGas
        p.senders[sender] = q.txs.isEmpty ? nil : q
      }
      return p.load
    }
    // What is left is a new batch as far as the sequencer's wake-up rule is concerned.
    if pending.count > 0 { onPendingChange(.none, pending) }
  }
}

/// A max-heap on (effective tip, earlier arrival) for block selection.
struct SelectionHeap {
  let baseFee: UInt256
  var items: [(tip: UInt256, tx: PoolTransaction)] = []

  init(baseFee: UInt256) { self.baseFee = baseFee }

  private func before(_ a: Int, _ b: Int) -> Bool {
    let x = items[a]
    let y = items[b]
    if x.tip != y.tip { return y.tip < x.tip }
    return x.tx.arrival < y.tx.arrival
  }

  mutating func push(_ t: PoolTransaction) {
    items.append((t.effectiveTip(baseFee: baseFee), t))
    var i = items.count - 1
    while i > 0 {
      let parent = (i - 1) / 2
      guard before(i, parent) else { break }
      items.swapAt(i, parent)
      i = parent
    }
  }

  mutating func pop() -> PoolTransaction? {
    guard !items.isEmpty else { return nil }
    items.swapAt(0, items.count - 1)
    let top = items.removeLast().tx
    var i = 0
    while true {
      let l = 2 * i + 1
      let r = l + 1
      var best = i
      if l < items.count && before(l, best) { best = l }
      if r < items.count && before(r, best) { best = r }
      if best == i { break }
      items.swapAt(i, best)
      i = best
    }
    return top
  }
}

/// What admission checks nonces and balances against: the head state as a value (a pool on
/// its own, as in tests) or a view of the node's live state at the head block.
public enum PoolHead: Sendable {
  case state(InMemoryState)
  case view(StateView)

  func account(_ address: Address) -> (balance: UInt256, nonce: UInt64, code: Code)? {
    switch self {
    case .state(let s): s.accounts[address].map { ($0.balance, $0.nonce, $0.code) }
    case .view(let v): v.account(address)
    }
  }

  func nonce(of address: Address) -> UInt64 { account(address)?.nonce ?? 0 }
}
