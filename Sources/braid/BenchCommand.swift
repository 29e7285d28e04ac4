/// `braid bench execute`: times block execution on the standard benchmark blocks and checks
/// the result against py-evm's, printing the same keys as ../shared/bench/revm_peer.py so
/// the two lines compare directly.
import ArgumentParser
import BraidBlockSTM
import BraidEVM
import BraidExecution
import BraidPrimitives
import Foundation

struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench", abstract: "Benchmarks.", subcommands: [
      BenchExecuteCommand.self, BenchJSONCommand.self, BenchRPCCommand.self, BenchRecoverCommand.self,
    ])
}

struct BenchExecuteCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "execute",
    abstract: "Time block execution on benchmark blocks (.json or .json.gz) and verify the result.")

  @Option(help: "Comma-separated thread counts; 0 is the sequential executor.")
  var threads = "0"

  @Option(help: "Timed runs per thread count; the median is reported.")
  var runs = 5

  @Option(help: "Threads that hash the incremental state root (it runs after execution, so the cores are free).")
  var rootThreads = 2

  @Option(
    help: ArgumentHelp(
      "Execute the block as consecutive blocks of at most this many transactions, each with its own state root, "
        + "as the node's sequencer does (--block-max-txs); times are summed over them.",
      discussion: "The final state is verified, and each transaction's status and gas; cumulative gas differs."))
  var blockSize: Int? = nil

  @Flag(help: "One JSON object per line, with the keys revm_peer.py prints.")
  var json = false

  @Argument(help: "Benchmark block files.")
  var blocks: [String]

  func validate() throws {
    guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
    guard rootThreads >= 1 else { throw ValidationError("--root-threads must be at least 1") }
    if let blockSize, blockSize < 1 { throw ValidationError("--block-size must be at least 1") }
    _ = try threadCounts()
  }

  private func threadCounts() throws(ValidationError) -> [Int] {
    var counts: [Int] = []
    for part in threads.split(separator: ",", omittingEmptySubsequences: false) {
      guard let n = Int(part.trimmingCharacters(in: .whitespaces)), n >= 0 else {
        throw ValidationError("--threads: '\(part)' is not a thread count")
      }
      counts.append(n)
    }
    return counts
  }

  func run() throws {
    let counts = try threadCounts()
    var allVerified = true
    for path in blocks {
      let block = try BenchBlock(path: path)
      for threadCount in counts {
        let measurement = measure(block, threads: threadCount)
        print(json ? measurement.jsonLine(threads: threadCount) : measurement.textLine(threads: threadCount))
        if !measurement.mismatches.isEmpty {
          allVerified = false
          for mismatch in measurement.mismatches { printError("\(block.name): \(mismatch)") }
        }
      }
    }
    if !allVerified { throw ExitCode(1) }
  }

  /// Runs the block `runs` times on a fresh copy of the pre-state, timing execution and the
  /// commit of its result to the in-memory state, then separately the state root: the
  /// incremental update of a `StateRootTracker` built from the pre-state beforehand (on
  /// `rootThreads` threads), and the root from scratch. Threads 0 is the
  /// sequential executor, otherwise Block-STM. With `blockSize`, each run executes the
  /// block in parts, each part's root after it, and sums the times.
  private func measure(_ block: BenchBlock, threads: Int) -> Measurement {
    let clock = ContinuousClock()
    func seconds(since start: ContinuousClock.Instant) -> Double {
      let elapsed = start.duration(to: clock.now).components
      return Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
    }
    var times: [Double] = []
    var rootTimes: [Double] = []
    var fullRootTimes: [Double] = []
    var finalState = block.pre
    var result: BlockResult? = nil
    var incrementalRoot = Hash32.zero
    let size = blockSize ?? max(block.transactions.count, 1)
    // An empty block is still one block.
    let parts = stride(from: 0, to: max(block.transactions.count, 1), by: size).map {
      Array(block.transactions[min($0, block.transactions.count)..<min($0 + size, block.transactions.count)])
    }
    for _ in 0..<runs {
      var state = block.pre.deepCopy()
      var tracker = StateRootTracker(state: state)
      var time = 0.0
      var rootTime = 0.0
      var r: BlockResult? = nil
      for part in parts {
        let start = clock.now
        var p = BlockExecutor.execute(part, block: block.env, state: &state, threads: threads, deferScratchRelease: true)
        time += seconds(since: start)
        let rootStart = clock.now
        incrementalRoot = tracker.update(with: p.changes, state: state, workers: rootThreads)
        rootTime += seconds(since: rootStart)
        // As the sequencer does: Block-STM's scratch is freed once the root is done.
        p.scratch?.releaseInBackground()
        p.scratch = nil
        if r == nil { r = p } else { r!.append(p) }
      }
      times.append(time)
      rootTimes.append(rootTime)
      let fullStart = clock.now
      _ = state.stateRoot()
      fullRootTimes.append(seconds(since: fullStart))
      finalState = state
      result = r
    }
    times.sort()
    rootTimes.sort()
    fullRootTimes.sort()
    let r = result!
    var mismatches = Self.verify(block, state: finalState, receipts: r.receipts, whole: parts.count == 1)
    if incrementalRoot != block.expectedStateRoot {
      mismatches.append("incremental state root: expected \(block.expectedStateRoot), got \(incrementalRoot)")
    }
    for (i, outcome) in r.outcomes.enumerated() {
      if case .excluded(let error) = outcome {
        mismatches.insert("transaction \(i) was excluded: \(error)", at: 0)
        break
      }
    }
    return Measurement(
      block: block, seconds: times[times.count / 2], stateRootSeconds: rootTimes[rootTimes.count / 2],
      fullStateRootSeconds: fullRootTimes[fullRootTimes.count / 2], gasUsed: r.gasUsed, stats: r.stats,
      mismatches: mismatches)
  }

  /// What differs from py-evm's result: empty when the block verified.
  /// Split into several blocks (`whole` false), the receipts root and cumulative gas are
  /// not the block's: the gas used is then their receipts' own gas, summed.
  private static func verify(_ block: BenchBlock, state: InMemoryState, receipts: [Receipt], whole: Bool) -> [String] {
    var mismatches: [String] = []
    let stateRoot = state.stateRoot()
    if stateRoot != block.expectedStateRoot {
      mismatches.append("state root: expected \(block.expectedStateRoot), got \(stateRoot)")
    }
    let receiptsRoot = Receipt.root(receipts)
    if whole && receiptsRoot != block.expectedReceiptsRoot {
      mismatches.append("receipts root: expected \(block.expectedReceiptsRoot), got \(receiptsRoot)")
    }
    let gasUsed = whole ? receipts.last?.cumulativeGasUsed ?? 0 : receipts.reduce(0) { $0 + $1.gasUsed }
    if gasUsed != block.expectedGasUsed {
      mismatches.append("gas used: expected \(block.expectedGasUsed), got \(gasUsed)")
    }
    if receipts.count != block.expectedReceipts.count {
      mismatches.append("receipts: expected \(block.expectedReceipts.count), got \(receipts.count)")
    }
    if let i = zip(receipts, block.expectedReceipts).enumerated().first(where: { _, pair in
      pair.0.success != pair.1.success || pair.0.gasUsed != pair.1.gasUsed
    })?.offset {
      let (got, expected) = (receipts[i], block.expectedReceipts[i])
      mismatches.append(
        "first differing receipt \(i): expected status \(expected.success ? 1 : 0) gas \(expected.gasUsed), "
          + "got status \(got.success ? 1 : 0) gas \(got.gasUsed)")
    }
    return mismatches
  }
}

private struct Measurement {
  let block: BenchBlock
  let seconds: Double
  /// Medians of the incremental root's update and of the root from scratch.
  let stateRootSeconds: Double
  let fullStateRootSeconds: Double
  let gasUsed: UInt64
  let stats: BlockSTMStats
  let mismatches: [String]

  // A clock that reads zero for an empty block must not turn into a division by zero.
  private var timed: Double { max(seconds, 1e-9) }
  var tps: Int { Int((Double(block.transactions.count) / timed).rounded()) }
  var gasPerSecond: Int { Int((Double(gasUsed) / timed).rounded()) }
  /// Incremental root time over execution time.
  var stateRootRatio: Double { stateRootSeconds / timed }

  func jsonLine(threads: Int) -> String {
    let seconds = (self.seconds * 1e6).rounded() / 1e6
    return "{\"engine\": \"braid\", \"block\": \"\(block.name)\", \"threads\": \(threads), "
      + "\"txs\": \(block.transactions.count), \"seconds\": \(seconds), \"tps\": \(tps), "
      + "\"gas_per_second\": \(gasPerSecond), \"verified\": \(mismatches.isEmpty), "
      + "\"state_root_seconds\": \((stateRootSeconds * 1e6).rounded() / 1e6), "
      + "\"state_root_full_seconds\": \((fullStateRootSeconds * 1e6).rounded() / 1e6), "
      + "\"state_root_ratio\": \((stateRootRatio * 1e4).rounded() / 1e4)"
      + (threads == 0 ? "" : ", \"reexecutions\": \(stats.reexecutions), \"validations\": \(stats.validations), "
        + "\"aborts\": \(stats.validationFailures), \"dependency_waits\": \(stats.dependencyWaits), "
          + "\"estimate_waits\": \(stats.estimateWaits), \"predicted_waits\": \(stats.predictedWaits)") + "}"
  }

  func textLine(threads: Int) -> String {
    let mode = threads == 0 ? "sequential" : "\(threads) threads"
    return "\(block.name): \(mode), \(block.transactions.count) txs in \(String(format: "%.6f", seconds)) s "
      + "(median), \(tps) tps, \(gasPerSecond) gas/s, " + (mismatches.isEmpty ? "verified" : "NOT VERIFIED")
      + (threads == 0 ? "" : ", \(stats.reexecutions) re-executions, \(stats.validationFailures) aborts")
      + String(
        format: "; state root %.2f ms incremental (%.1f%% of execution), %.2f ms from scratch",
        stateRootSeconds * 1e3, stateRootRatio * 100, fullStateRootSeconds * 1e3)
  }
}

extension BlockResult {
  /// Appends the result of the next block, for a block executed in parts (`--block-size`).
  fileprivate mutating func append(_ next: BlockResult) {
    outcomes += next.outcomes
    receipts += next.receipts
    gasUsed += next.gasUsed
    stats.add(next.stats)
  }
}

extension InMemoryState {
  /// A copy sharing no storage buffers with `self`, so that copy-on-write does not copy a
  /// large contract's storage inside the timed region on its first write.
  fileprivate func deepCopy() -> InMemoryState {
    var copy: [Address: AccountState] = [:]
    copy.reserveCapacity(accounts.count)
    for (address, account) in accounts {
      var fresh = account
      fresh.storage = Dictionary(uniqueKeysWithValues: account.storage.map { ($0.key, $0.value) })
      copy[address] = fresh
    }
    return InMemoryState(accounts: copy)
  }
}
