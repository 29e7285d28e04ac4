/// The block producer: one plain thread that turns pending transactions into blocks.
///
/// It sleeps while the pool has nothing pending (no empty blocks while idle), and once
/// something is pending it makes a block when `blockInterval` has passed since the last
/// one, or at once when `maxTransactions` are pending or their gas limits fill a block. A block is executed on a copy of
/// the head state with Block-STM (`execThreads`; 0 runs the sequential executor), sealed
/// with its roots, committed to the store when the node has one (one LMDB write
/// transaction: state changes, block, receipts, indexes and the removal of its journal
/// entries), and only then published to the chain and the pool in one step, so nothing a
/// reader or a submitter has seen is lost on a crash.
import BraidEVM
import BraidExecution
import BraidPrimitives
import BraidRPC
import BraidStorage
import BraidTrie
import Dispatch
import Foundation
import Synchronization

public struct SequencerConfiguration: Sendable {
  public var blockInterval: Duration
  public var maxTransactions: Int
  /// Block-STM workers; 0 executes sequentially.
  public var execThreads: Int

  public init(
    blockInterval: Duration = .milliseconds(200), maxTransactions: Int = 10_000, execThreads: Int = 2
  ) {
    self.blockInterval = blockInterval
    self.maxTransactions = max(1, maxTransactions)
    self.execThreads = max(0, execThreads)
  }
}

/// What became of the transactions a block was made from.
public struct BlockOutcome: Sendable {
  /// Nil when every selected transaction was excluded (no block is made then).
  public var block: SealedBlock?
  public var excluded: [(hash: Hash32, reason: String)]
  /// Time spent executing the block, and computing its state root (incrementally: only
  /// the paths the block touched are rehashed).
  public var executionTime: Duration = .zero
  public var stateRootTime: Duration = .zero
  /// Time spent committing the block to the store (zero without one).
  public var commitTime: Duration = .zero
  /// Block-STM's extra executions and aborted validations for this block.
  public var reexecutions = 0
  public var validationFailures = 0
}

public final class Sequencer: Sendable {
  public let configuration: SequencerConfiguration
  let chainId: UInt64
  let coinbase: Address
  let gasLimit: UInt64
  let firstBlockBaseFee: UInt256?
  let mempool: Mempool
  let store: ChainStore
  /// Where each block is committed before it is published; nil keeps the chain in memory.
  let persistent: Store?
  /// Seconds since the epoch; a test fixes it.
  let clock: @Sendable () -> UInt64
  let onBlock: @Sendable (BlockOutcome) -> Void
  let wake: DispatchSemaphore
  private let running = Atomic<Bool>(false)
  private let stopped = DispatchSemaphore(value: 0)
  /// Serializes block production between the thread and direct `produceBlock` calls.
  private let producing = Mutex<Void>(())
  /// The state trie of the head, updated with each block's changes; built from the head
  /// state on first use, and again whenever its root is not the parent's (the head moved
  /// some other way).
  private let stateTrie = Mutex<StateRootTracker?>(nil)

  init(
    configuration: SequencerConfiguration, chainId: UInt64, coinbase: Address, gasLimit: UInt64,
    firstBlockBaseFee: UInt256?, mempool: Mempool,
    store: ChainStore, persistent: Store?, wake: DispatchSemaphore, clock: @escaping @Sendable () -> UInt64,
    onBlock: @escaping @Sendable (BlockOutcome) -> Void
  ) {
    self.configuration = configuration
    self.chainId = chainId
    self.coinbase = coinbase
    self.gasLimit = gasLimit
    self.firstBlockBaseFee = firstBlockBaseFee
    self.mempool = mempool
    self.store = store
    self.persistent = persistent
    self.wake = wake
    self.clock = clock
    self.onBlock = onBlock
  }

  public func start() {
    guard !running.exchange(true, ordering: .acquiringAndReleasing) else { return }
    let thread = Thread { [self] in
      loop()
      stopped.signal()
    }
    thread.name = "braid-sequencer"
    thread.start()
  }

  /// Finishes the block in progress, then returns.
  public func stop() {
    guard running.exchange(false, ordering: .acquiringAndReleasing) else { return }
    wake.signal()
    stopped.wait()
  }

  private func loop() {
    let clock = ContinuousClock()
    // The first block comes one interval after start at the earliest, so that whatever is
    // submitted at once (a benchmark's batch) can share it.
    var lastBlock = clock.now
    warmStateTrie()
    while running.load(ordering: .acquiring) {
      let pending = mempool.pendingLoad
      if pending.count == 0 {
        _ = wake.wait(timeout: .now() + .milliseconds(500))
        continue
      }
      let remaining = lastBlock.advanced(by: configuration.blockInterval) - clock.now
      if pending.count >= configuration.maxTransactions || pending.gas >= gasLimit || remaining <= .zero {
        lastBlock = clock.now
        if produceBlock()?.block == nil {
          // Pending transactions none of which can run now (fee caps below the base fee):
          // wait an interval rather than spin on them.
          _ = wake.wait(timeout: Self.deadline(after: configuration.blockInterval))
        }
      } else {
        _ = wake.wait(timeout: Self.deadline(after: max(remaining, .microseconds(100))))
      }
    }
  }

  /// Builds the head's state trie before the first block needs it (a from-scratch build
  /// costs as much as many blocks' incremental updates), so the first block a client
  /// waits for pays only for its own changes.
  private func warmStateTrie() {
    producing.withLock { _ in
      let head = store.head
      stateTrie.withLock { tracker in
        // The producer may read the head state without the state's lock (see `LiveState`).
        if tracker?.root != head.header.stateRoot { tracker = StateRootTracker(state: store.live.producerState.pointee) }
      }
    }
  }

  /// EIP-1186 proofs from the head's tries, when they are the tries of `stateRoot`: the
  /// tries are updated in place, so they prove one state only, the latest block's (and,
  /// between a block's root and its publication, the block about to be published). Nil
  /// otherwise, or before the tries are first built.
  public func stateProof(of address: Address, slots: [UInt256], stateRoot: Hash32) -> StateProof? {
    stateTrie.withLock { tracker in
      guard let tracker, tracker.root == stateRoot else { return nil }
      return tracker.proof(of: address, slots: slots)
    }
  }

  private static func deadline(after d: Duration) -> DispatchTime {
    let c = d.components
    return .now() + .nanoseconds(Int(c.seconds) * 1_000_000_000 + Int(c.attoseconds / 1_000_000_000))
  }

  /// Makes one block from what is pending, if anything is; returns what happened.
  @discardableResult
  public func produceBlock() -> BlockOutcome? {
    producing.withLock { _ in produceLocked() }
  }

  private func produceLocked() -> BlockOutcome? {
    let (parentRecord, parentState) = store.headAndState()
    let parent = parentRecord.header
    let live = store.live
    // The head state, changed in place by this block (through `live.writeGuard`, which
    // keeps readers of it out and records what it overwrites). Only the producer, which
    // holds `producing`, reads it without the lock.
    let state = live.producerState
    let selected = mempool.selectPending(maxCount: configuration.maxTransactions, gasLimit: gasLimit)
    guard !selected.isEmpty else { return nil }
    let number = parent.number + 1
    let baseFee =
      number == 1
      ? firstBlockBaseFee ?? FeeMarket.nextBaseFee(parent: parent) : FeeMarket.nextBaseFee(parent: parent)
    let timestamp = max(clock(), parent.timestamp + 1)
    let env = BlockEnv(
      chainId: chainId, number: number, timestamp: timestamp, coinbase: coinbase, gasLimit: gasLimit,
      baseFee: baseFee)
    // BLOCKHASH sees the last 256 blocks of this chain (EIP-210's window, as in the
    // yellow paper), the same hashes `eth_call` answers with.
    live.setBlockHashes(store.recentBlockHashes(before: number))
    // A trie to update is needed from the parent state, which the block is about to change.
    stateTrie.withLock { tracker in
      if tracker?.root != parent.stateRoot { tracker = StateRootTracker(state: state.pointee) }
    }
    let timer = ContinuousClock()
    let started = timer.now
    // Block-STM's scratch memory is freed after the state root, which it would slow down.
    let result = BlockExecutor.execute(
      selected.map(\.transaction), block: env, state: &state.pointee, threads: configuration.execThreads,
      deferScratchRelease: true, guard: live.writeGuard)
    defer { result.scratch?.releaseInBackground() }
    let executed = timer.now

    var included: [PoolTransaction] = []
    var excluded: [(PoolTransaction, TransactionError)] = []
    for (t, outcome) in zip(selected, result.outcomes) {
      switch outcome {
      case .executed: included.append(t)
      case .excluded(let error): excluded.append((t, error))
      }
    }
    let excludedReasons = excluded.map { (hash: $0.0.hash, reason: $0.1.description) }
    // Excluded for a nonce gap, a transaction waits in the pool (and its journal entry
    // stays); any other exclusion drops it.
    let dropped = excluded.compactMap { t, error -> Hash32? in
      if case .nonceTooHigh = error { return nil }
      return t.hash
    }
    guard !included.isEmpty else {
      if let persistent {
        let entries = mempool.claimJournalEntries(for: dropped)
        do { try persistent.deleteJournalEntries(entries) } catch { Self.storeFailed(error) }
      }
      // Nothing ran, so the head stays; the pool forgets what cannot run.
      mempool.commit(nextBaseFee: baseFee, senders: [], excluded: excluded) { .view(parentState) }
      let outcome = BlockOutcome(block: nil, excluded: excludedReasons, executionTime: executed - started)
      onBlock(outcome)
      return outcome
    }

    let stateRoot = stateTrie.withLock { tracker in
      tracker!.update(with: result.changes, state: state.pointee, workers: 2)
    }
    let rooted = timer.now
    result.scratch?.releaseInBackground()
    let block = seal(
      parentHash: parentRecord.hash, number: number, timestamp: timestamp, baseFee: baseFee,
      included: included,
      receipts: result.receipts, gasUsed: result.gasUsed, stateRoot: stateRoot)
    let sealed = timer.now
    if let persistent {
      let committed = StoredChain.committed(
        block, receipts: result.receipts, written: result.changes.accounts, post: state.pointee,
        journal: mempool.claimJournalEntries(for: included.map(\.hash) + dropped))
      do { try persistent.commitBlock(committed) } catch { Self.storeFailed(error) }
    }
    let committedAt = timer.now
    let senders = Set(included.map(\.sender))
    mempool.commit(nextBaseFee: FeeMarket.nextBaseFee(parent: block.header), senders: senders, excluded: excluded) {
      store.append(block)
      return .view(store.state(atBlock: number)!)
    }
    let outcome = BlockOutcome(
      block: block, excluded: excludedReasons, executionTime: executed - started,
      stateRootTime: rooted - executed, commitTime: committedAt - sealed,
      reexecutions: result.stats.reexecutions, validationFailures: result.stats.validationFailures)
    onBlock(outcome)
    return outcome
  }

  /// A block that cannot be committed must not be published (a crash would lose what
  /// readers saw), and the next one cannot follow it: stop, with the reason.
  private static func storeFailed(_ error: LMDBError) -> Never {
    fatalError("braid: committing to the store failed: \(error)")
  }

  private func seal(
    parentHash: Hash32, number: UInt64, timestamp: UInt64, baseFee: UInt256, included: [PoolTransaction],
    receipts: [Receipt], gasUsed: UInt64, stateRoot: Hash32
  ) -> SealedBlock {
    // The two tries are independent and each is built on one thread: the transactions'
    // on another core while this one builds the receipts'.
    let raws = included.map(\.signed.raw)
    let transactionsRoot = RootBox()
    let built = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
      transactionsRoot.value.withLock { $0 = MerklePatriciaTrie.orderedRoot(raws) }
      built.signal()
    }
    var bloom = Bloom()
    for r in receipts { bloom.formUnion(r.logsBloom) }
    let receiptsRoot = Receipt.root(receipts)
    built.wait()
    let header = BlockHeader(
      number: number, parentHash: parentHash, stateRoot: stateRoot,
      transactionsRoot: transactionsRoot.value.withLock { $0 },
      receiptsRoot: receiptsRoot, logsBloom: bloom, coinbase: coinbase, gasLimit: gasLimit,
      gasUsed: gasUsed,
      timestamp: timestamp, baseFeePerGas: baseFee)
    let record = BlockRecord(
      header: header, transactionHashes: included.map(\.hash),
      transactionBytes: StoredChain.transactionBytes(included.map(\.signed.raw)))

    var transactions: [TransactionRecord] = []
    var receiptRecords: [ReceiptRecord] = []
    var logs: [LogRecord] = []
    transactions.reserveCapacity(included.count)
    receiptRecords.reserveCapacity(included.count)
    for (index, (t, r)) in zip(included, receipts).enumerated() {
      let location = TransactionLocation(blockNumber: number, blockHash: record.hash, index: index)
      let price = baseFee &+ t.effectiveTip(baseFee: baseFee)
      // Log indexes count across the whole block.
      let numbered = r.logs.enumerated().map {
        LogRecord(log: $1, location: location, transactionHash: t.hash, logIndex: logs.count + $0)
      }
      logs += numbered
      transactions.append(TransactionRecord(signed: t.signed, location: location, effectiveGasPrice: price))
      let tx = t.transaction
      receiptRecords.append(
        ReceiptRecord(
          transactionHash: t.hash, location: location, from: tx.sender, to: tx.to, type: tx.type,
          success: r.success,
          cumulativeGasUsed: r.cumulativeGasUsed, gasUsed: r.gasUsed, effectiveGasPrice: price,
          contractAddress: r.contractAddress, logs: numbered, logsBloom: r.logsBloom))
    }
    return SealedBlock(
      record: record,
      transactions: transactions,
      receipts: receiptRecords, logs: logs)
  }
}

/// A root computed on another thread.
private final class RootBox: Sendable {
  let value = Mutex(Hash32.zero)
}
