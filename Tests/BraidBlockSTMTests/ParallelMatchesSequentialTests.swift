/// The core promise: whatever the contention and however many workers, Block-STM commits
/// exactly what executing the block in order commits.
import BraidBlockSTM
import Foundation
import Testing

/// `BRAID_STM_STRESS=N` runs N times as many blocks, for a soak in a release build:
/// `BRAID_STM_STRESS=50 swift test -c release --filter ParallelMatchesSequential`
private let stress = Int(ProcessInfo.processInfo.environment["BRAID_STM_STRESS"] ?? "") ?? 1

/// Runs `blocks` random blocks of `shape`, each with 1 to 8 workers, against the sequential
/// reference. Returns the summed stats, so callers can check that contention really happened.
@discardableResult
private func checkRandomBlocks(
  _ shape: RandomBlockVM.Shape, blocks: Int, seedBase: UInt64, threads: ClosedRange<Int> = 1...8
) -> BlockSTMStats {
  var total = BlockSTMStats()
  for b in 0..<blocks * stress {
    let seed = seedBase &+ UInt64(b)
    let vm = RandomBlockVM.random(shape, seed: seed)
    let expected = BlockSTM.executeSequentially(vm, count: vm.txns.count)
    // The blocks take turns: the defaults, the paper's plain rules, waiting only on
    // ESTIMATEs of running transactions, and no waiting budget (every wait becomes a
    // suspension): none of these may change the result.
    let options = [
      BlockSTMOptions(),
      BlockSTMOptions(waitForExecutingBlockers: false, waitForPredecessorWrites: false),
      BlockSTMOptions(waitForExecutingBlockers: true, waitForPredecessorWrites: false),
      BlockSTMOptions(waitBudget: .zero),
    ][b % 4]
    for threads in threads {
      let actual = BlockSTM.execute(vm, count: vm.txns.count, threads: threads, options: options)
      #expect(
        sameCommit(actual, expected),
        "block seed \(seed) (\(shape)) with \(threads) threads differs from sequential execution")
      #expect(actual.stats.executions >= vm.txns.count)
      total.executions += actual.stats.executions
      total.reexecutions += actual.stats.reexecutions
      total.validations += actual.stats.validations
      total.validationFailures += actual.stats.validationFailures
      total.dependencyWaits += actual.stats.dependencyWaits
      total.estimateWaits += actual.stats.estimateWaits
      total.predictedWaits += actual.stats.predictedWaits
    }
  }
  return total
}

@Suite struct ParallelMatchesSequential {
  /// Four keys: nearly every pair of transactions conflicts.
  @Test func highContention() {
    let shape = RandomBlockVM.Shape(
      keys: 4, txns: 5...60, maxReads: 3, maxWrites: 2, deltaChance: 0.3, conditionalChance: 0.3, maxSpin: 20)
    let stats = checkRandomBlocks(shape, blocks: 600, seedBase: 0x1000_0000)
    #expect(stats.validationFailures > 0, "high contention never aborted anything: the test is not testing")
    #expect(stats.dependencyWaits > 0, "high contention never suspended a transaction on an ESTIMATE")
    #expect(stats.estimateWaits + stats.predictedWaits > 0, "high contention never waited in place")
  }

  /// Sixty-four keys: some conflicts, many independent transactions.
  @Test func mediumContention() {
    let shape = RandomBlockVM.Shape(
      keys: 64, txns: 5...60, maxReads: 4, maxWrites: 3, deltaChance: 0.3, conditionalChance: 0.3, maxSpin: 20)
    checkRandomBlocks(shape, blocks: 500, seedBase: 0x2000_0000)
  }

  /// Ten thousand keys: conflicts are rare.
  @Test func lowContention() {
    let shape = RandomBlockVM.Shape(
      keys: 10_000, txns: 5...60, maxReads: 4, maxWrites: 3, deltaChance: 0.3, conditionalChance: 0.3,
      maxSpin: 20)
    checkRandomBlocks(shape, blocks: 400, seedBase: 0x3000_0000)
  }

  /// Mostly deltas onto two keys, with the occasional reader: folding must give the reader
  /// the sum of every delta below it, and validation must catch a delta that changed.
  @Test func deltaHeavy() {
    let shape = RandomBlockVM.Shape(
      keys: 2, txns: 5...60, maxReads: 1, maxWrites: 2, deltaChance: 0.9, conditionalChance: 0.2, maxSpin: 10)
    checkRandomBlocks(shape, blocks: 400, seedBase: 0x4000_0000)
  }

  /// Every write depends on a bit of what was read, so incarnations keep changing their write
  /// sets: entries must be removed when a key is no longer written.
  @Test func writeSetsThatChangeBetweenIncarnations() {
    let shape = RandomBlockVM.Shape(
      keys: 8, txns: 5...60, maxReads: 3, maxWrites: 4, deltaChance: 0.2, conditionalChance: 1.0, maxSpin: 10)
    checkRandomBlocks(shape, blocks: 400, seedBase: 0x5000_0000)
  }

  @Test func emptyBlock() {
    let vm = RandomBlockVM(txns: [], seed: 1)
    let result = BlockSTM.execute(vm, count: 0, threads: 4)
    #expect(result.outputs.isEmpty && result.writes.isEmpty && result.finalValues.isEmpty)
    #expect(result.stats == BlockSTMStats())
  }
}
