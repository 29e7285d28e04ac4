/// Long blocks, some over their gas limit: where a transaction does not fit in the block
/// gas left, `BlockExecutor` commits the part before it and restarts Block-STM after it.
/// The parts must chain exactly, state, receipts, the block gas pool and the reported
/// changes included.
import BraidBlockSTM
import BraidEVM
@testable import BraidExecution
import BraidPrimitives
import Testing

struct SplitBlocksMatchSequential {
  @Test(arguments: 0..<6)
  func longRandomBlock(seed: Int) {
    let block = RandomBlock(seed: UInt64(seed) &* 65_537 &+ 11, count: 400 + 350 * seed)
    let sequential = ParallelEqualsSequentialTests.run(block, threads: 0)
    for threads in [2, 4, 16] {
      #expect(ParallelEqualsSequentialTests.run(block, threads: threads) == sequential, "seed \(seed), \(threads) threads")
      var state = block.pre
      let r = BlockExecutor.execute(
        block.transactions, block: block.env, state: &state, threads: threads)
      let missing = BlockChangesCoverEveryWrite.uncovered(pre: block.pre, post: state, changes: r.changes)
      #expect(missing.isEmpty, "seed \(seed), \(threads) threads: \(missing.prefix(5))")
    }
  }
}
