/// Blocks long enough for `BlockExecutor` to split them between Block-STM and the
/// sequential executor (`ContentionPolicy`): the parts must chain exactly, state, receipts,
/// the block gas pool and the reported changes included.
import BraidBlockSTM
import BraidEVM
@testable import BraidExecution
import BraidPrimitives
import Testing

struct SplitBlocksMatchSequential {
  @Test(arguments: 0..<6)
  func longRandomBlock(seed: Int) {
    // Few senders make nonce chains, so conflicted probes hand parts to the sequential
    // executor; many make parallel parts that grow.
    let block = RandomBlock(seed: UInt64(seed) &* 65_537 &+ 11, count: 400 + 350 * seed)
    let sequential = ParallelEqualsSequentialTests.run(block, threads: 0)
    for threads in [2, 4, 16] {
      #expect(ParallelEqualsSequentialTests.run(block, threads: threads) == sequential, "seed \(seed), \(threads) threads")
      var state = block.pre
      let r = BlockExecutor.execute(
        block.transactions, block: block.env, state: &state, threads: threads, capWorkersAtCores: false)
      let missing = BlockChangesCoverEveryWrite.uncovered(pre: block.pre, post: state, changes: r.changes)
      #expect(missing.isEmpty, "seed \(seed), \(threads) threads: \(missing.prefix(5))")
    }
  }

  @Test func policyProbesThenGrowsOrFallsBack() {
    var policy = ContentionPolicy()
    let probe = policy.next()
    #expect(probe.parallel && probe.size == ContentionPolicy.probe)
    // A conflict-free probe: a larger parallel part follows.
    policy.record(BlockSTMStats(executions: probe.size), count: probe.size)
    let grown = policy.next()
    #expect(grown.parallel && grown.size > probe.size)
    // A part where every transaction waited: a sequential stretch, then a new probe, and
    // after another conflicted probe a longer sequential stretch.
    policy.record(BlockSTMStats(executions: grown.size, estimateWaits: grown.size), count: grown.size)
    let firstStretch = policy.next()
    #expect(!firstStretch.parallel)
    let reprobe = policy.next()
    #expect(reprobe.parallel && reprobe.size == ContentionPolicy.probe)
    policy.record(BlockSTMStats(executions: 2 * reprobe.size, reexecutions: reprobe.size), count: reprobe.size)
    let secondStretch = policy.next()
    #expect(!secondStretch.parallel && secondStretch.size > firstStretch.size)
  }
}
