import BraidEVM
@testable import BraidExecution
import BraidPrimitives
import Testing

/// The core promise: Block-STM with any number of workers produces exactly what sequential
/// execution produces — same state root, same receipts, same exclusions — on random blocks
/// full of the cases parallel EVMs get wrong.
struct ParallelEqualsSequentialTests {
  struct Summary: Equatable {
    var stateRoot: Hash32
    var receiptsRoot: Hash32
    var outcomes: [String]
  }

  static func run(_ block: RandomBlock, threads: Int) -> Summary {
    var state = block.pre
    // Exactly `threads` workers, however many cores this machine has.
    let r = BlockExecutor.execute(
      block.transactions, block: block.env, state: &state, threads: threads)
    let outcomes = r.outcomes.map { o -> String in
      switch o {
      case .executed(let t): return "ok \(t.success) \(t.gasUsed) \(t.logs.count) \(t.createdAddress?.description ?? "-")"
      case .excluded(let e): return "excluded \(e)"
      }
    }
    return Summary(stateRoot: state.stateRoot(), receiptsRoot: Receipt.root(r.receipts), outcomes: outcomes)
  }

  @Test(arguments: 0..<60)
  func randomBlock(seed: Int) {
    let block = RandomBlock(seed: UInt64(seed) &* 7919 &+ 17)
    let sequential = Self.run(block, threads: 0)
    for threads in [1, 2, 4] {
      let parallel = Self.run(block, threads: threads)
      #expect(parallel == sequential, "seed \(seed), \(threads) threads")
    }
  }

  @Test func randomBlocksExerciseEveryOutcome() {
    // Guards the generator: the blocks above must actually contain reverts, out-of-gas,
    // exclusions, creations and logs, or the equality test proves little.
    var seen = Set<String>()
    for seed in 0..<60 {
      let s = Self.run(RandomBlock(seed: UInt64(seed) &* 7919 &+ 17), threads: 0)
      for o in s.outcomes {
        if o.hasPrefix("excluded") { seen.insert("excluded") }
        // Block-STM's restart after a transaction that does not fit in the block gas left.
        if o == "excluded \(TransactionError.gasLimitExceedsBlock)" { seen.insert("gas pool full") }
        if o.hasPrefix("ok false") { seen.insert("failed") }
        if o.hasPrefix("ok true") && !o.hasSuffix("-") { seen.insert("created") }
        if o.hasPrefix("ok true") && o.contains(" 1 ") { seen.insert("logged") }
      }
    }
    #expect(seen == ["excluded", "gas pool full", "failed", "created", "logged"])
  }
}
