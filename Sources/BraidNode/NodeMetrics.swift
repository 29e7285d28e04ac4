/// The node's instruments on the same Prometheus registry as the HTTP and JSON-RPC ones,
/// so one `/metrics` page shows submissions, the pool, blocks and execution. Every label
/// value comes from a fixed set (the refusal kinds below), so clients cannot grow the
/// registry.
import Metrics
import Prometheus

public final class NodeMetrics: Sendable {
  private let received: Metrics.Counter
  private let accepted: Metrics.Counter
  private let rejected: [String: Metrics.Counter]
  private let excluded: Metrics.Counter
  private let blocks: Metrics.Counter
  private let blockTransactions: Metrics.Recorder
  private let executionTime: Metrics.Timer
  private let stateRootTime: Metrics.Timer
  private let commitTime: Metrics.Timer
  private let journalTime: Metrics.Timer
  private let journalBatch: Metrics.Recorder
  private let recoveryBatch: Metrics.Recorder
  private let reexecutions: Metrics.Counter
  private let validationFailures: Metrics.Counter
  private let head: Metrics.Gauge
  private let poolSize: Metrics.Gauge
  private let poolPending: Metrics.Gauge

  public init(registry: PrometheusCollectorRegistry) {
    var factory = PrometheusMetricsFactory(registry: registry)
    factory.defaultDurationHistogramBuckets = [
      .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
      .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5),
    ]
    factory.defaultValueHistogramBuckets = [1, 10, 100, 500, 1000, 2500, 5000, 10_000, 25_000]
    received = Counter(label: "braid_transactions_received_total", factory: factory)
    accepted = Counter(label: "braid_transactions_accepted_total", factory: factory)
    var rejected: [String: Metrics.Counter] = [:]
    for reason in AdmissionError.reasonLabels {
      rejected[reason] = Counter(
        label: "braid_transactions_rejected_total", dimensions: [("reason", reason)], factory: factory)
    }
    self.rejected = rejected
    excluded = Counter(label: "braid_transactions_excluded_total", factory: factory)
    blocks = Counter(label: "braid_blocks_total", factory: factory)
    blockTransactions = Recorder(label: "braid_block_transactions", aggregate: true, factory: factory)
    executionTime = Metrics.Timer(label: "braid_block_execution_seconds", factory: factory)
    stateRootTime = Metrics.Timer(label: "braid_block_state_root_seconds", factory: factory)
    commitTime = Metrics.Timer(label: "braid_block_commit_seconds", factory: factory)
    journalTime = Metrics.Timer(label: "braid_journal_commit_seconds", factory: factory)
    journalBatch = Recorder(label: "braid_journal_batch_transactions", aggregate: true, factory: factory)
    recoveryBatch = Recorder(label: "braid_sender_recovery_batch_transactions", aggregate: true, factory: factory)
    reexecutions = Counter(label: "braid_blockstm_reexecutions_total", factory: factory)
    validationFailures = Counter(label: "braid_blockstm_validation_aborts_total", factory: factory)
    head = Gauge(label: "braid_head_block_number", factory: factory)
    poolSize = Gauge(label: "braid_mempool_transactions", factory: factory)
    poolPending = Gauge(label: "braid_mempool_pending_transactions", factory: factory)
  }

  func admission(_ error: AdmissionError?) {
    received.increment()
    if let error {
      rejected[error.reasonLabel]?.increment()
    } else {
      accepted.increment()
    }
  }

  func block(_ outcome: BlockOutcome, pool: Mempool) {
    excluded.increment(by: outcome.excluded.count)
    if let block = outcome.block {
      blocks.increment()
      blockTransactions.record(block.receipts.count)
      head.record(Int(block.header.number))
      executionTime.record(duration: outcome.executionTime)
      stateRootTime.record(duration: outcome.stateRootTime)
      commitTime.record(duration: outcome.commitTime)
      reexecutions.increment(by: outcome.reexecutions)
      validationFailures.increment(by: outcome.validationFailures)
    }
    let load = pool.pendingLoad
    poolPending.record(load.count)
    poolSize.record(pool.count)
  }
}

extension NodeMetrics {
  /// One group commit of the submission journal: how many transactions shared its sync.
  func journalBatch(_ count: Int, _ duration: Duration) {
    journalBatch.record(count)
    journalTime.record(duration: duration)
  }

  /// One round of the recovery thread: how many single submissions had their senders
  /// recovered together.
  func recoveryRound(_ count: Int) { recoveryBatch.record(count) }
}

extension AdmissionError {
  /// The refusal kinds, as metric labels.
  static let reasonLabels = [
    "already_known", "nonce_too_low", "insufficient_funds", "underpriced", "replacement_underpriced",
    "intrinsic_gas", "gas_limit", "oversized", "pool_full", "chain_id", "type", "other",
  ]

  var reasonLabel: String {
    let m = message
    if m == "already known" { return "already_known" }
    if m.hasPrefix("nonce too low") { return "nonce_too_low" }
    if m.hasPrefix("insufficient funds") { return "insufficient_funds" }
    if m.hasPrefix("transaction underpriced") || m.hasPrefix("max priority fee") { return "underpriced" }
    if m.hasPrefix("replacement") { return "replacement_underpriced" }
    if m.hasPrefix("intrinsic gas") { return "intrinsic_gas" }
    if m == "exceeds block gas limit" { return "gas_limit" }
    if m == "oversized data" || m.hasPrefix("max initcode") { return "oversized" }
    if m == "txpool is full" { return "pool_full" }
    if m.hasPrefix("invalid chain id") { return "chain_id" }
    if m.hasPrefix("transaction type") { return "type" }
    return "other"
  }
}
