/// Executing a whole block, sequentially or with Block-STM, with identical results.
import BraidBlockSTM
import BraidEVM
import BraidPrimitives
import BraidTrie
import Synchronization

public struct BlockResult: Sendable {
  public var outcomes: [TransactionOutcome]
  /// One per executed transaction, in block order.
  public var receipts: [Receipt]
  public var gasUsed: UInt64
  /// Block-STM's counters; zero for the sequential executor.
  public var stats: BlockSTMStats
  /// What the block wrote, so that the trie and the store update only that.
  public var changes: BlockChanges
  /// With `deferScratchRelease`, Block-STM's scratch memory of the block, for the caller to
  /// release once its state root is done (`BlockSTMScratch.releaseInBackground()`); nil
  /// for the sequential executor and small blocks.
  public var scratch: BlockSTMScratch? = nil
}

/// The accounts and storage slots a block wrote: the only paths of the state trie whose
/// hashes can change, and the only rows the store must rewrite. The new values are read
/// from the post-state; an account written but absent there was removed (EIP-161 or
/// EIP-6780), and its storage with it. A written value may equal the old one.
public struct BlockChanges: Sendable {
  /// Per written account, the slots written in it.
  public var accounts: [Address: Set<UInt256>]

  public init(accounts: [Address: Set<UInt256>] = [:]) { self.accounts = accounts }

  mutating func record(_ diff: StateDiff) {
    for (address, change) in diff.accounts {
      if change.storage.isEmpty {
        if accounts[address] == nil { accounts[address] = [] }
      } else {
        accounts[address, default: []].formUnion(change.storage.keys)
      }
    }
  }
}

public enum BlockExecutor {
  /// Executes `transactions` in order on `state` and returns the receipts. `threads` 0 is
  /// the plain sequential executor; 1 or more run Block-STM with that many workers. The
  /// state and receipts are the same either way.
  public static func execute(
    _ transactions: [Transaction], block: BlockEnv, state: inout InMemoryState, threads: Int,
    deferScratchRelease: Bool = false, guard writeGuard: StateWriteGuard? = nil
  ) -> BlockResult {
    let clock = ContinuousClock()
    let start = clock.now
    var outcomes: [TransactionOutcome]
    var receipts: [Receipt]? = nil
    var changes = BlockChanges()
    var stats = BlockSTMStats(executions: 0, reexecutions: 0, validations: 0, validationFailures: 0, dependencyWaits: 0)
    var scratch: BlockSTMScratch? = nil
    if threads == 0 {
      outcomes = SequentialExecutor.execute(
        transactions[...], block: block, on: &state, changes: &changes, guard: writeGuard)
    } else {
      outcomes = []
      var gasUsed: UInt64 = 0
      var next = 0
      while next < transactions.count {
        // Block-STM runs everything from `next` on as if it fits in the block gas pool.
        // Where one transaction did not, only the part before it stands: that part is
        // committed, the transaction is excluded as the sequential executor excludes it,
        // and Block-STM starts again after it. A block whose transactions all fit (every
        // block the sequencer makes) takes one pass.
        var partStats = BlockSTMStats()
        let (part, resume, partReceipts, partScratch) = executeParallel(
          transactions, next..<transactions.count, block: block, state: &state, threads: threads,
          gasUsedBefore: gasUsed, changes: &changes, stats: &partStats, guard: writeGuard)
        // Only the last pass's scratch is handed back; an earlier pass's is freed now.
        scratch?.releaseInBackground()
        scratch = partScratch
        receipts = partReceipts
        stats.add(partStats)
        // A block in one pass (every block the sequencer makes) takes the outcomes as they
        // are: appending would copy each, with a retain of its logs.
        if outcomes.isEmpty { outcomes = part } else { outcomes.append(contentsOf: part) }
        next = resume
        // The gas used so far only matters to a further pass.
        if next < transactions.count {
          for outcome in part {
            if case .executed(let executed) = outcome { gasUsed += executed.gasUsed }
          }
        }
        // The gas left only shrinks, so a transaction asking for more than is left now
        // can never fit: exclude it without another Block-STM pass (which, after a full
        // block, would otherwise come once per transaction).
        while next < transactions.count && gasUsed <= block.gasLimit
          && transactions[next].gasLimit > block.gasLimit - gasUsed
        {
          outcomes.append(.excluded(.gasLimitExceedsBlock))
          next += 1
        }
      }
    }
    let blockReceipts = receipts ?? makeReceipts(outcomes)
    let gasUsed = blockReceipts.last?.cumulativeGasUsed ?? 0
    ExecutionCounters.shared.record(
      transactions: blockReceipts.count, stats: stats, seconds: start.duration(to: clock.now))
    if !deferScratchRelease {
      scratch?.releaseInBackground()
      scratch = nil
    }
    return BlockResult(
      outcomes: outcomes, receipts: blockReceipts, gasUsed: gasUsed, stats: stats, changes: changes, scratch: scratch)
  }

  /// Runs `transactions[range]` with Block-STM on `state` and commits what stands: all of
  /// it, or the transactions before the first that did not fit in the block gas left,
  /// followed by that one's exclusion. Returns their outcomes and where to go on from, and
  /// the block's receipts when this one pass was the whole block: they are then built on a
  /// second thread while this one commits, instead of serially after it.
  static func executeParallel(
    _ transactions: [Transaction], _ range: Range<Int>, block: BlockEnv, state: inout InMemoryState, threads: Int,
    gasUsedBefore: UInt64, changes: inout BlockChanges, stats: inout BlockSTMStats, guard writeGuard: StateWriteGuard?
  ) -> (outcomes: [TransactionOutcome], resume: Int, receipts: [Receipt]?, scratch: BlockSTMScratch?) {
    // The VM holds a reference to the pre-state only inside this call, so that the commit
    // below mutates `state` in place instead of copying it.
    let run = { (pre: InMemoryState, range: Range<Int>) in
      let vm = EVMBlockVM(pre: pre, transactions: transactions, range: range, block: block)
      let result = BlockSTM.execute(
        vm, count: range.count, threads: threads,
        options: BlockSTMOptions(collectWrites: false, deferScratchRelease: true))
      return (result, vm.gasLimitTotal)
    }
    var (result, gasLimitTotal) = run(state, range)
    stats = result.stats
    // When the gas limits all fit, so does the gas used: no need to walk every transaction
    // and outcome again (serial work, on memory long since evicted).
    let allFit = gasUsedBefore <= block.gasLimit && gasLimitTotal <= block.gasLimit - gasUsedBefore
    guard
      let misfit = allFit
        ? nil
        : firstMisfit(transactions[range], result.outputs, blockGasLimit: block.gasLimit, used: gasUsedBefore)
    else {
      let finalValues = result.finalValueList
      result.finalValueList = []
      defer { result.scratch?.keep(finalValues) }
      guard range.lowerBound == 0 && range.count >= 256 else {
        commit(finalValues, to: &state, changes: &changes, guard: writeGuard)
        return (result.outputs, range.upperBound, nil, result.scratch)
      }
      // The receipts on a second thread, the state and then the block's changes on this
      // one: the three read the result and write nothing in common, and the two threads
      // take about as long on an ERC-20 block (2.0 and 2.5 ms).
      var receipts: [Receipt] = []
      withUnsafeMutablePointer(to: &receipts) { receiptsPointer in
        withUnsafeMutablePointer(to: &changes) { changesPointer in
          let out = SendablePointer(receiptsPointer)
          let written = SendablePointer(changesPointer)
          let outputs = result.outputs
          TrieThreads.run(
            { out.pointer.pointee = makeReceipts(outputs) },
            alongside: {
              apply(finalValues, to: &state, guard: writeGuard)
              record(finalValues, in: &written.pointer.pointee)
            })
        }
      }
      return (result.outputs, range.upperBound, receipts, result.scratch)
    }
    // Final values cover the whole range, so the part that stands runs again on its own;
    // its transactions all fit, so this second run is final.
    result.scratch?.releaseInBackground()
    var outcomes: [TransactionOutcome] = []
    var prefixScratch: BlockSTMScratch? = nil
    if misfit > range.lowerBound {
      let (prefix, _) = run(state, range.lowerBound..<misfit)
      prefixScratch = prefix.scratch
      stats.add(prefix.stats)
      commit(prefix.finalValueList, to: &state, changes: &changes, guard: writeGuard)
      outcomes = prefix.outputs
    }
    outcomes.append(.excluded(.gasLimitExceedsBlock))
    return (outcomes, misfit + 1, nil, prefixScratch)
  }

  /// The index of the first transaction that did not fit in the block gas left by those
  /// before it, which the sequential executor would exclude; nil when all fitted. Block-STM
  /// executes them all as if they fitted: reading the block's gas used so far would make
  /// every transaction depend on every one before it. Up to the first misfit, the
  /// sequential executor takes the same decisions, so that part stands.
  static func firstMisfit(
    _ transactions: ArraySlice<Transaction>, _ outcomes: [TransactionOutcome], blockGasLimit: UInt64, used: UInt64
  ) -> Int? {
    var used = used
    for (index, outcome) in zip(transactions.indices, outcomes) {
      if used > blockGasLimit || transactions[index].gasLimit > blockGasLimit - used { return index }
      if case .executed(let executed) = outcome { used += executed.gasUsed }
    }
    return nil
  }

  /// Applies the final values of a block (or of a part of one) and adds what they wrote to
  /// `changes`.
  static func commit(
    _ finalValues: [(StateKey, StateValue)], to state: inout InMemoryState, changes: inout BlockChanges,
    guard writeGuard: StateWriteGuard?
  ) {
    apply(finalValues, to: &state, guard: writeGuard)
    record(finalValues, in: &changes)
  }

  /// Applies the final values to `state`, through `writeGuard` when there is one.
  static func apply(
    _ finalValues: [(StateKey, StateValue)], to state: inout InMemoryState, guard writeGuard: StateWriteGuard?
  ) {
    guard let writeGuard else {
      var none: StateUndo? = nil
      apply(finalValues, to: &state, undo: &none)
      return
    }
    writeGuard.write { undo in
      var recording: StateUndo? = consume undo
      apply(finalValues, to: &state, undo: &recording)
      undo = recording!
    }
  }

  /// Calls `body` with each run of final values of one account. Within each shard the keys
  /// of one account come together (`EVMBlockVM.keyHash`), so each run is one access to the
  /// account. An account with keys in several shards (a busy contract's slots) comes in
  /// several runs, which is correct, only a little slower. The values are read in place: an
  /// `ArraySlice` per run and a copy of every value cost a retain and a release each, a
  /// tenth of a parallel transfer block's serial commit.
  static func forEachAccount(
    _ finalValues: [(StateKey, StateValue)],
    _ body: (Address, UnsafeBufferPointer<(StateKey, StateValue)>, _ hasSlots: Bool) -> Void
  ) {
    finalValues.withUnsafeBufferPointer { values in
      var start = 0
      while start < values.count {
        let address = values[start].0.address
        var end = start + 1
        var hasSlots = values[start].0.isStorage
        while end < values.count && values[end].0.address == address {
          hasSlots = hasSlots || values[end].0.isStorage
          end += 1
        }
        body(address, UnsafeBufferPointer(rebasing: values[start..<end]), hasSlots)
        start = end
      }
    }
  }

  /// Applies the final values, recording in `undo` (when there is one) what each account
  /// held before.
  static func apply(
    _ finalValues: [(StateKey, StateValue)], to state: inout InMemoryState, undo: inout StateUndo?
  ) {
    // Accounts that were empty after a run of their keys: removed at the end if still empty.
    var emptied: [Address] = []
    forEachAccount(finalValues) { address, run, _ in
      if undo != nil {
        undo!.willChange(address, slots: run.lazy.compactMap(\.0.slot), wipesStorage: false, in: state)
      }
      if apply(run, to: &state.accounts[address, default: AccountState()]) { emptied.append(address) }
    }
    // Every account written in the block was touched by some transaction, so one that ends
    // empty is removed (EIP-161), with its storage.
    for address in emptied where state.accounts[address]?.isEmpty == true {
      if undo != nil { undo!.willChange(address, slots: [], wipesStorage: true, in: state) }
      state.accounts[address] = nil
    }
  }

  /// Adds every account and slot the final values write to `changes`. Separate from
  /// `apply`, so that it can run on another thread at the same time: it reads nothing of
  /// the state.
  static func record(_ finalValues: [(StateKey, StateValue)], in changes: inout BlockChanges) {
    // Growing this table while filling it rehashes every entry each time it doubles. A
    // block writes about as many accounts as it has keys divided by two or three. (Not the
    // state's table: most written accounts exist already, and reserving room for all of
    // them would rebuild the whole table every block.)
    changes.accounts.reserveCapacity(changes.accounts.count + finalValues.count / 2)
    forEachAccount(finalValues) { address, run, hasSlots in
      if hasSlots {
        changes.accounts[address, default: []].formUnion(run.lazy.compactMap(\.0.slot))
      } else if changes.accounts[address] == nil {
        changes.accounts[address] = []
      }
    }
  }

  /// Applies one account's final values; returns whether the account is then empty.
  static func apply(
    _ values: UnsafeBufferPointer<(StateKey, StateValue)>, to account: inout AccountState
  ) -> Bool {
    for i in values.indices {
      switch values[i].0 {
      case .balance: account.balance = values[i].1.word
      case .nonce: account.nonce = values[i].1.word.w0
      case .code: account.code = values[i].1.codeValue
      case .storage(_, let slot):
        let w = values[i].1.word
        account.storage[slot] = w.isZero ? nil : w
      }
    }
    return account.isEmpty
  }
}

/// Process-wide execution counters for the node's /metrics.
public final class ExecutionCounters: Sendable {
  public static let shared = ExecutionCounters()

  public let blocks = Atomic<Int>(0)
  public let transactions = Atomic<Int>(0)
  public let reexecutions = Atomic<Int>(0)
  public let validationFailures = Atomic<Int>(0)
  public let dependencyWaits = Atomic<Int>(0)
  /// Total execution time in nanoseconds.
  public let executionNanoseconds = Atomic<Int>(0)

  func record(transactions n: Int, stats: BlockSTMStats, seconds: Duration) {
    blocks.add(1, ordering: .relaxed)
    transactions.add(n, ordering: .relaxed)
    reexecutions.add(stats.reexecutions, ordering: .relaxed)
    validationFailures.add(stats.validationFailures, ordering: .relaxed)
    dependencyWaits.add(stats.dependencyWaits, ordering: .relaxed)
    let c = seconds.components
    executionNanoseconds.add(Int(c.seconds) * 1_000_000_000 + Int(c.attoseconds / 1_000_000_000), ordering: .relaxed)
  }
}
