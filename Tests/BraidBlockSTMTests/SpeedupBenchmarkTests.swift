/// How much faster Block-STM runs a block than the sequential executor, on a mock VM that
/// spends about 2 µs per transaction. Opt-in, since timings only mean something in a
/// release build on a quiet machine:
/// `BRAID_STM_BENCH=1 swift test -c release --filter SpeedupBenchmark`
import BraidBlockSTM
import Foundation
import Testing

private let benchEnabled = ProcessInfo.processInfo.environment["BRAID_STM_BENCH"] != nil

/// Transactions that read some keys, burn a fixed amount of CPU, and write some keys.
private struct WorkVM: BlockSTMVM {
  typealias Key = Int
  typealias Value = UInt64
  typealias Delta = UInt64
  typealias Output = UInt64

  struct Txn: Sendable {
    var reads: [Int]
    var writes: [Int]
    var credit: Int?
  }

  let txns: [Txn]
  let spin: Int

  func storageValue(_ key: Int) -> UInt64 { UInt64(bitPattern: Int64(key)) }
  static func apply(_ delta: UInt64, to value: UInt64) -> UInt64 { value &+ delta }
  static func merge(_ first: UInt64, _ second: UInt64) -> UInt64 { first &+ second }

  func execute(_ txn: TxnIndex, view: inout ReadView<WorkVM>) -> VMResult<WorkVM> {
    let plan = txns[txn]
    var acc = UInt64(txn)
    for key in plan.reads {
      guard let value = view.read(key) else { return .dependency }
      acc = mix(acc, value)
    }
    for _ in 0..<spin { acc = mix(acc) }
    var writes: [(Int, WriteOp<WorkVM>)] = plan.writes.map { ($0, .value(acc | 1)) }
    if let credit = plan.credit { writes.append((credit, .delta(acc & 0xFF))) }
    return .done(writes: writes, output: acc)
  }
}

/// Iterations of `mix` that take about `microseconds`.
private func calibratedSpin(microseconds: Double) -> Int {
  let iterations = 2_000_000
  var acc: UInt64 = 1
  let elapsed = ContinuousClock().measure { for _ in 0..<iterations { acc = mix(acc) } }
  if acc == 0 { print("") }  // keeps the loop
  return Int(Double(iterations) * microseconds / seconds(elapsed) / 1e6)
}

private func seconds(_ duration: Duration) -> Double {
  let (s, atto) = duration.components
  return Double(s) + Double(atto) * 1e-18
}

/// Median wall time of `runs` runs.
private func median(runs: Int, _ body: () -> Void) -> Double {
  body()
  var times = (0..<runs).map { _ in seconds(ContinuousClock().measure(body)) }
  times.sort()
  return times[runs / 2]
}

@Suite(.enabled(if: benchEnabled), .serialized) struct SpeedupBenchmark {
  static let count = 10_000

  /// One line per configuration: median wall time over 7 runs, and the ratios that matter.
  private func report(_ name: String, _ vm: WorkVM, options: BlockSTMOptions = BlockSTMOptions()) {
    let sequential = median(runs: 7) { _ = BlockSTM.executeSequentially(vm, count: Self.count) }
    print("\(name): sequential \(String(format: "%.2f", sequential * 1e3)) ms")
    var oneThread = 0.0
    for threads in [1, 2, 4, 16] {
      var stats = BlockSTMStats()
      let t = median(runs: 7) {
        stats = BlockSTM.execute(vm, count: Self.count, threads: threads, options: options).stats
      }
      if threads == 1 { oneThread = t }
      print(
        String(
          format: "  %2d threads: %6.2f ms, %.2fx sequential, %.2fx 1 thread; %d re-executions, %d aborts, "
            + "%d suspensions, %d waits", threads, t * 1e3, sequential / t, oneThread / t, stats.reexecutions,
          stats.validationFailures, stats.dependencyWaits, stats.estimateWaits + stats.predictedWaits))
    }
  }

  @Test func independentTransactions() {
    let spin = calibratedSpin(microseconds: 2)
    let txns = (0..<Self.count).map { WorkVM.Txn(reads: [$0], writes: [$0], credit: nil) }
    report("independent (\(spin) mixes ≈ 2 µs per transaction)", WorkVM(txns: txns, spin: spin))
  }

  @Test func independentTransactionsCreditingOneKey() {
    let spin = calibratedSpin(microseconds: 2)
    let txns = (0..<Self.count).map { WorkVM.Txn(reads: [$0], writes: [$0], credit: -1) }
    report("independent, each also crediting one key with a delta", WorkVM(txns: txns, spin: spin))
  }

  @Test func fullyConflictingTransactions() {
    let spin = calibratedSpin(microseconds: 2)
    let txns = (0..<Self.count).map { _ in WorkVM.Txn(reads: [0], writes: [0], credit: nil) }
    let vm = WorkVM(txns: txns, spin: spin)
    report("fully conflicting (each reads and writes key 0)", vm)
    report(
      "fully conflicting, the paper's rules only", vm,
      options: BlockSTMOptions(waitForExecutingBlockers: false, waitForPredecessorWrites: false))
  }
}
