/// The core promise: whatever the contention and however many workers, Block-STM commits
/// exactly what executing the block in order commits.
import BraidBlockSTM
import Testing

/// Runs `blocks` random blocks of `shape`, each with 1 to 8 workers, against the sequential
/// reference. Returns the summed stats, so callers can check that contention really happened.
@discardableResult
private func checkRandomBlocks(
  _ shape: RandomBlockVM.Shape, blocks: Int, seedBase: UInt64, threads: ClosedRange<Int> = 1...8
) -> BlockSTMStats {
  var total = BlockSTMStats()
  for b in 0..<blocks {
    let seed = seedBase &+ UInt64(b)
    let vm = RandomBlockVM.random(shape, seed: seed)
    let expected = BlockSTM.executeSequentially(vm, count: vm.txns.count)
    for threads in threads {
      let actual = BlockSTM.execute(vm, count: vm.txns.count, threads: threads)
      #expect(
        sameCommit(actual, expected),
        "block seed \(seed) (\(shape)) with \(threads) threads differs from sequential execution")
      #expect(actual.stats.executions >= vm.txns.count)
      total.executions += actual.stats.executions
      total.reexecutions += actual.stats.reexecutions
      total.validations += actual.stats.validations
      total.validationFailures += actual.stats.validationFailures
      total.dependencyWaits += actual.stats.dependencyWaits
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
    #expect(stats.dependencyWaits > 0, "high contention never waited on an ESTIMATE")
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
