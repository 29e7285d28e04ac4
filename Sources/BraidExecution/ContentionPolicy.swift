/// How `BlockExecutor` splits a block between Block-STM and the sequential executor.
///
/// On a block where nearly every transaction depends on the one before (one sender's nonce
/// chain, a single AMM pool, two accounts paying each other) Block-STM cannot run anything
/// in parallel: it pipelines the transactions, paying its bookkeeping and the cache traffic
/// between cores on each, and ends up well behind the plain sequential executor. Nothing
/// known before execution tells such a block apart from one that parallelizes (an ERC-20
/// block calls one contract too), so the block is probed: a short prefix runs on Block-STM,
/// and how much of it had to wait or be re-executed decides the next part. Parts that run in
/// parallel and stay free of conflicts grow sixteenfold; a conflicted probe hands a growing stretch to the
/// sequential executor before the next probe. Each part executes exactly as its transactions
/// would in sequence on the state the parts before it committed, so the block's result is
/// the sequential one however it is split.
import BraidBlockSTM

struct ContentionPolicy {
  /// Transactions in a probe: enough to see a conflict pattern, few enough to cost little
  /// when the block turns out to be serial.
  static let probe = 96
  /// Waits and re-executions per transaction above which Block-STM loses to sequential
  /// execution (measured on the benchmark blocks: the serial ones show 0.8 and more, the
  /// parallel ones 0.1 or less).
  static let conflictThreshold = 0.25

  private var parallel = true
  private var parallelSize = probe
  private var sequentialSize = 2048

  /// Whether the next part runs on Block-STM, and how many transactions it takes.
  mutating func next() -> (parallel: Bool, size: Int) {
    if parallel { return (true, parallelSize) }
    // A sequential stretch is always followed by another probe.
    parallel = true
    parallelSize = Self.probe
    let size = sequentialSize
    sequentialSize = min(sequentialSize * 2, 1 << 20)
    return (false, size)
  }

  /// Learns from a part that ran on Block-STM.
  mutating func record(_ stats: BlockSTMStats, count: Int) {
    let conflicts = stats.reexecutions + stats.estimateWaits + stats.predictedWaits
    if Double(conflicts) <= Self.conflictThreshold * Double(count) {
      parallelSize = min(parallelSize * 16, 1 << 20)
    } else {
      parallel = false
    }
  }
}
