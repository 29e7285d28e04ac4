/// The HTTP and JSON-RPC metrics: requests by route and status, latency by route, calls
/// and errors by method. They are swift-metrics instruments created against a
/// swift-prometheus registry, so the node's own instruments (made the same way, or through
/// `MetricsSystem.bootstrap` with this registry) appear on the same `/metrics` page.
///
/// Every label value comes from a fixed set (routes, known method names, status codes), so
/// a client cannot grow the registry by sending made-up methods or paths; instruments are
/// created once and looked up, never created per request.
import Metrics
import Prometheus
import Synchronization

public final class RPCMetrics: Sendable {
  public let registry: PrometheusCollectorRegistry
  private let factory: PrometheusMetricsFactory
  private let methodIndex: [String: Int]
  private let methodNames: [String]
  private let calls: [Metrics.Counter]
  private let errors: [Metrics.Counter]
  private let envelopeErrors: Metrics.Counter
  private let latency: [Metrics.Timer]
  private let requests = Mutex<[Int: Metrics.Counter]>([:])
  /// Reads the server's open connection count at scrape time, once a server is attached.
  private let connectionSource = Mutex<(@Sendable () -> Int)?>(nil)
  private let openConnections: Metrics.Gauge

  public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
    self.registry = registry
    var factory = PrometheusMetricsFactory(registry: registry)
    // JSON-RPC answers in microseconds to milliseconds; the default buckets start at 5 ms.
    factory.defaultDurationHistogramBuckets = [
      .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
      .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
      .milliseconds(100), .milliseconds(250), .seconds(1), .seconds(5),
    ]
    self.factory = factory
    let names = EthAPI<InMemoryChain>.methods + ["other"]
    methodNames = names
    methodIndex = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
    calls = names.map { Metrics.Counter(label: "braid_rpc_calls_total", dimensions: [("method", $0)], factory: factory) }
    errors = names.map { Metrics.Counter(label: "braid_rpc_errors_total", dimensions: [("method", $0)], factory: factory) }
    envelopeErrors = Metrics.Counter(label: "braid_rpc_invalid_messages_total", factory: factory)
    latency = Route.allCases.map {
      Metrics.Timer(label: "braid_http_request_duration_seconds", dimensions: [("route", $0.rawValue)], factory: factory)
    }
    openConnections = Metrics.Gauge(label: "braid_http_open_connections", factory: factory)
  }

  /// The label index for a method name; unknown names share `other`.
  func label(for method: String) -> Int { methodIndex[method] ?? methodNames.count - 1 }

  func rpcCall(_ label: Int, failed: Bool) {
    calls[label].increment()
    if failed { errors[label].increment() }
  }

  /// A message that is not a call at all: unparsable, not an object, no method.
  func rpcEnvelopeError() { envelopeErrors.increment() }

  func request(_ route: Route, status: Int, nanoseconds: Int64) {
    latency[route.index].recordNanoseconds(nanoseconds)
    let key = route.index << 16 | status
    let counter = requests.withLock { counters in
      if let c = counters[key] { return c }
      let c = Metrics.Counter(
        label: "braid_http_requests_total", dimensions: [("route", route.rawValue), ("status", String(status))],
        factory: factory)
      counters[key] = c
      return c
    }
    counter.increment()
  }

  /// Lets `/metrics` report the server's open connections.
  public func attachConnectionCount(_ source: @escaping @Sendable () -> Int) {
    connectionSource.withLock { $0 = source }
  }

  /// The Prometheus text exposition.
  public func scrape() -> [UInt8] {
    if let source = connectionSource.withLock({ $0 }) { openConnections.record(source()) }
    var out: [UInt8] = []
    registry.emit(into: &out)
    return out
  }
}

/// Routes, as metric labels and as the router's table.
enum Route: String, CaseIterable, Sendable {
  case rpc = "/"
  case state = "/v1/state/{address}"
  case storage = "/v1/state/{address}/storage/{slot}"
  case receipt = "/v1/receipts/{txHash}"
  case transaction = "/v1/transactions/{txHash}"
  case block = "/v1/blocks/{block}"
  case metrics = "/metrics"
  case health = "/healthz"
  case ready = "/readyz"
  case unmatched = "unmatched"

  /// Position in `allCases`, without building that array per request.
  var index: Int {
    switch self {
    case .rpc: return 0
    case .state: return 1
    case .storage: return 2
    case .receipt: return 3
    case .transaction: return 4
    case .block: return 5
    case .metrics: return 6
    case .health: return 7
    case .ready: return 8
    case .unmatched: return 9
    }
  }
}
