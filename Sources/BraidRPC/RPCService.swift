/// The HTTP handler Braid serves: routes requests to JSON-RPC (`POST /`), the REST
/// routes, `/metrics` and the health probes, answers unknown paths with 404 and wrong
/// methods with 405 (with `Allow`), and records the request metrics.
import BraidHTTP
import BraidPrimitives
import Logging

#if canImport(Glibc)
  import Glibc
#endif

public struct RPCService<Backend: ChainBackend>: HTTPHandler {
  let api: EthAPI<Backend>
  let dispatcher: RPCDispatcher<Backend>
  let rest: RESTRoutes<Backend>
  public let metrics: RPCMetrics
  let logger: Logger

  public init(
    backend: Backend, configuration: RPCConfiguration = RPCConfiguration(), metrics: RPCMetrics = RPCMetrics(),
    logger: Logger = Logger(label: "braid.rpc")
  ) {
    api = EthAPI(backend: backend, configuration: configuration)
    dispatcher = RPCDispatcher(api: api, metrics: metrics)
    rest = RESTRoutes(api: api)
    self.metrics = metrics
    self.logger = logger
  }

  /// Every (method, path template) served, HEAD implied by GET; the OpenAPI document is
  /// checked against this table.
  public static var routes: [(method: String, path: String)] {
    [("post", "/")]
      + [Route.state, .storage, .receipt, .transaction, .block, .metrics, .health, .ready].map { ("get", $0.rawValue) }
  }

  /// The JSON-RPC methods served.
  public static var methods: [String] { EthAPI<Backend>.methods }

  public func handle(_ request: HTTPRequest, responder: HTTPResponder) -> HTTPHandlerResult {
    let started = Self.now()
    let (route, segments) = Self.match(request.path)
    let metrics = self.metrics
    func finish(_ response: HTTPResponse) -> HTTPHandlerResult {
      metrics.request(route, status: response.status.code, nanoseconds: Int64(Self.now() &- started))
      if response.status.code >= 500 {
        logger.warning(
          "request failed",
          metadata: ["status": "\(response.status.code)", "path": "\(request.path.prefix(200))"])
      }
      return .response(response)
    }

    if route == .rpc {
      guard request.method == .post else { return finish(methodNotAllowed("POST")) }
      guard Self.acceptsJSON(request.headers["Content-Type"]) else {
        return finish(.jsonError(.unsupportedMediaType, message: "invalid content type, only application/json is supported"))
      }
      let immediate = dispatcher.handle(body: request.body) { body in
        let response = Self.rpcResponse(body)
        metrics.request(.rpc, status: 200, nanoseconds: Int64(Self.now() &- started))
        responder.respond(response)
      }
      guard let body = immediate else { return .deferred }
      return finish(Self.rpcResponse(body))
    }
    guard route != .unmatched else { return finish(.jsonError(.notFound, message: "no route for \(request.path.prefix(200))")) }
    guard request.method == .get || request.method == .head else { return finish(methodNotAllowed("GET, HEAD")) }

    switch route {
    case .state: return finish(rest.state(address: segments[2]))
    case .storage: return finish(rest.storage(address: segments[2], slot: segments[4]))
    case .receipt: return finish(rest.receipt(hash: segments[2]))
    case .transaction: return finish(rest.transaction(hash: segments[2]))
    case .block: return finish(rest.block(segments[2]))
    case .metrics:
      return finish(HTTPResponse(status: .ok, headers: [("Content-Type", "text/plain; version=0.0.4")], body: metrics.scrape()))
    case .health:
      return finish(RESTRoutes<Backend>.json(["status": "ok"]))
    case .ready:
      let backend = api.backend
      if backend.isReady() {
        return finish(RESTRoutes<Backend>.json(["status": "ready", "head": .quantity(backend.headNumber())]))
      }
      return finish(RESTRoutes<Backend>.json(["status": "not ready"], status: .serviceUnavailable))
    case .rpc, .unmatched:
      return finish(.jsonError(.notFound, message: "no route"))
    }
  }

  /// Matches a path to its route; `segments` are the path's components after the leading
  /// slash (`v1`, `state`, address, ...).
  static func match(_ path: Substring) -> (Route, [Substring]) {
    if path == "/" { return (.rpc, []) }
    let segments = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
    switch segments.count {
    case 1:
      switch segments[0] {
      case "metrics": return (.metrics, segments)
      case "healthz": return (.health, segments)
      case "readyz": return (.ready, segments)
      default: return (.unmatched, segments)
      }
    case 3 where segments[0] == "v1" && !segments[2].isEmpty:
      switch segments[1] {
      case "state": return (.state, segments)
      case "receipts": return (.receipt, segments)
      case "transactions": return (.transaction, segments)
      case "blocks": return (.block, segments)
      default: return (.unmatched, segments)
      }
    case 5 where segments[0] == "v1" && segments[1] == "state" && segments[3] == "storage" && !segments[2].isEmpty
      && !segments[4].isEmpty:
      return (.storage, segments)
    default:
      return (.unmatched, segments)
    }
  }

  /// geth's accepted media types; parameters such as `charset` are ignored. The exact
  /// `application/json` every client library sends is checked first, without allocating.
  static func acceptsJSON(_ contentType: String?) -> Bool {
    guard let contentType else { return false }
    if contentType == "application/json" { return true }
    let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters() } ?? ""
    switch mediaType.lowercased() {
    case "application/json", "application/json-rpc", "application/jsonrequest": return true
    default: return false
    }
  }

  private func methodNotAllowed(_ allow: String) -> HTTPResponse {
    .jsonError(.methodNotAllowed, message: "method not allowed", headers: [("Allow", allow)])
  }

  static func rpcResponse(_ body: [UInt8]) -> HTTPResponse {
    HTTPResponse(status: .ok, headers: contentTypeJSON, body: body)
  }

  static func now() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
  }
}

/// Shared by every JSON-RPC response rather than built per request.
private let contentTypeJSON: [(name: String, value: String)] = [("Content-Type", "application/json")]

extension Substring {
  fileprivate func trimmingCharacters() -> String {
    var s = self
    while s.first == " " || s.first == "\t" { s = s.dropFirst() }
    while s.last == " " || s.last == "\t" { s = s.dropLast() }
    return String(s)
  }
}
