/// JSON-RPC 2.0 over a request body: a single call or a batch array, notifications (no
/// `id`, no answer), and the envelope errors. A batch answers in call order even when some
/// calls finish later on other threads; when every call answered at once (the common
/// case) no extra object is allocated and the bytes are returned directly.
import BraidHTTP
import BraidPrimitives
import Dispatch
import Synchronization

public struct RPCDispatcher<Backend: ChainBackend>: Sendable {
  let api: EthAPI<Backend>
  let metrics: RPCMetrics

  init(api: EthAPI<Backend>, metrics: RPCMetrics) {
    self.api = api
    self.metrics = metrics
  }

  /// The response body (empty when every call was a notification), or nil when some call
  /// is still running: `completion` then receives the body, from any thread.
  public func handle(body: [UInt8], completion: @escaping @Sendable ([UInt8]) -> Void) -> [UInt8]? {
    let parsed: JSONValue
    do {
      parsed = try JSONParser.parse(body)
    } catch {
      metrics.rpcEnvelopeError()
      return RPCEnvelope.encode(id: .null, .failure(.parseError))
    }
    guard case .array(let calls) = parsed else {
      switch dispatch(parsed) {
      case .notification: return []
      case .done(let id, let result): return RPCEnvelope.encode(id: id, result)
      case .doneEncoded(let id, let result): return RPCEnvelope.encode(id: id, encodedResult: result)
      case .pending(let id, let start):
        let assembly = Assembly(slots: [], isBatch: false, completion: completion)
        let index = assembly.addPending(id)
        start { assembly.fill(index, id: id, $0) }
        return assembly.finishStarting()
      }
    }
    if calls.isEmpty {
      metrics.rpcEnvelopeError()
      return RPCEnvelope.encode(id: .null, .failure(.emptyBatch))
    }
    if calls.count > api.configuration.maxBatchSize {
      metrics.rpcEnvelopeError()
      // geth answers an oversized batch with one error carrying the first call's id.
      let firstId = calls.lazy.compactMap { $0.objectValue?["id"] }.first ?? .null
      return [UInt8(ascii: "[")] + RPCEnvelope.encode(id: firstId, .failure(.batchTooLarge)) + [UInt8(ascii: "]")]
    }
    // Calls start in order, so a read after a submission in the same batch sees it when
    // the backend applies submissions at once. The assembly exists only once some call
    // answers later.
    var slots: [[UInt8]] = []
    slots.reserveCapacity(calls.count)
    var assembly: Assembly?
    let prepared = prepareSubmissions(calls)
    for (index, call) in calls.enumerated() {
      switch dispatch(call, prepared: prepared?[index]) {
      case .notification: break
      case .done(let id, let result):
        let encoded = RPCEnvelope.encode(id: id, result)
        if let assembly { assembly.addDone(encoded) } else { slots.append(encoded) }
      case .doneEncoded(let id, let result):
        let encoded = RPCEnvelope.encode(id: id, encodedResult: result)
        if let assembly { assembly.addDone(encoded) } else { slots.append(encoded) }
      case .pending(let id, let start):
        let a = assembly ?? Assembly(slots: slots.map { .done($0) }, isBatch: true, completion: completion)
        assembly = a
        let index = a.addPending(id)
        start { a.fill(index, id: id, $0) }
      }
    }
    guard let assembly else { return Assembly.join(slots, isBatch: true) }
    return assembly.finishStarting()
  }

  private enum Dispatched {
    case notification
    case done(id: JSONValue, Result<JSONValue, RPCError>)
    case doneEncoded(id: JSONValue, [UInt8])
    case pending(id: JSONValue, start: (@escaping @Sendable (Result<JSONValue, RPCError>) -> Void) -> Void)
  }

  /// The batch's `eth_sendRawTransaction` calls prepared by the backend (decoded, senders
  /// recovered) on every core at once, by call index; nil when there are too few to be
  /// worth it. Submission itself stays in call order. Without this a batch is worked
  /// through by its connection's event loop alone, and with few connections the loops'
  /// loads are as uneven as the kernel's spread of connections over them.
  private func prepareSubmissions(_ calls: [JSONValue]) -> [PreparedSubmission?]? {
    var raws: [(index: Int, raw: Bytes)] = []
    for (i, call) in calls.enumerated() {
      guard case .object(let o) = call, o["method"] == .string("eth_sendRawTransaction"),
        case .array(let params)? = o["params"], params.count == 1, let raw = try? HexParam.data(params[0])
      else { continue }
      raws.append((i, raw))
    }
    let workers = min(HTTPServerConfiguration.processorCount, raws.count / Self.preparedPerWorker)
    guard workers >= 2 else { return nil }
    let backend = api.backend
    let work = raws
    let parts = Mutex<[[PreparedSubmission]]>(Array(repeating: [], count: workers))
    DispatchQueue.concurrentPerform(iterations: workers) { w in
      let range = (work.count * w / workers)..<(work.count * (w + 1) / workers)
      let part = backend.prepareSubmissions(rawTransactions: work[range].map(\.raw))
      parts.withLock { $0[w] = part }
    }
    var out = [PreparedSubmission?](repeating: nil, count: calls.count)
    for (k, p) in parts.withLock({ $0 }).joined().enumerated() { out[raws[k].index] = p }
    return out
  }

  /// Below this many transactions per worker, handing work to another thread costs more
  /// than it saves.
  private static var preparedPerWorker: Int { 8 }

  /// One request object: validate the envelope, then call the method.
  private func dispatch(_ request: JSONValue, prepared: PreparedSubmission? = nil) -> Dispatched {
    guard case .object(let o) = request else {
      metrics.rpcEnvelopeError()
      return .done(id: .null, .failure(.invalidRequest))
    }
    let id = o["id"]
    var replyId = JSONValue.null
    switch id {
    case nil, .null?, .string?, .number?: replyId = id ?? .null
    default:
      metrics.rpcEnvelopeError()
      return .done(id: .null, .failure(.invalidRequest))
    }
    guard o["jsonrpc"] == .string("2.0"), case .string(let method)? = o["method"] else {
      metrics.rpcEnvelopeError()
      return .done(id: replyId, .failure(.invalidRequest))
    }
    let isNotification = id == nil
    let label = metrics.label(for: method)
    switch api.call(method, o["params"], prepared: prepared) {
    case .value(let v):
      metrics.rpcCall(label, failed: false)
      return isNotification ? .notification : .done(id: replyId, .success(v))
    case .encoded(let bytes):
      metrics.rpcCall(label, failed: false)
      return isNotification ? .notification : .doneEncoded(id: replyId, bytes)
    case .failure(let e):
      metrics.rpcCall(label, failed: true)
      return isNotification ? .notification : .done(id: replyId, .failure(e))
    case .pending(let start):
      let metrics = self.metrics
      if isNotification {
        start { metrics.rpcCall(label, failed: $0.isFailure) }
        return .notification
      }
      return .pending(id: replyId) { reply in
        start { result in
          metrics.rpcCall(label, failed: result.isFailure)
          reply(result)
        }
      }
    }
  }

}

enum RPCEnvelope {
  static func encode(id: JSONValue, _ result: Result<JSONValue, RPCError>) -> [UInt8] {
    var w = JSONWriter(capacity: 96)
    w.write(rawASCII: #"{"jsonrpc":"2.0","id":"#)
    w.write(id)
    switch result {
    case .success(let v):
      w.write(rawASCII: #","result":"#)
      w.write(v)
    case .failure(let e):
      w.write(rawASCII: #","error":"#)
      w.write(e.json)
    }
    w.write(rawASCII: "}")
    return w.bytes
  }

  /// A success whose result is already JSON text.
  static func encode(id: JSONValue, encodedResult: [UInt8]) -> [UInt8] {
    var w = JSONWriter(capacity: encodedResult.count + 48)
    w.write(rawASCII: #"{"jsonrpc":"2.0","id":"#)
    w.write(id)
    w.write(rawASCII: #","result":"#)
    w.write(raw: encodedResult)
    w.write(rawASCII: "}")
    return w.bytes
  }
}

extension Result {
  var isFailure: Bool {
    if case .failure = self { return true }
    return false
  }
}

/// Collects the answers of calls that finish on other threads and delivers the response
/// once the last arrives.
private final class Assembly: Sendable {
  enum Slot: Sendable {
    case done([UInt8])
    case pending(JSONValue)

    var bytes: [UInt8] {
      if case .done(let b) = self { return b }
      return []
    }
  }

  private struct State {
    var slots: [Slot]
    var remaining: Int
    /// `finishStarting` has returned nil: the last `fill` delivers through `completion`.
    var deferred = false
  }

  private let state: Mutex<State>
  private let isBatch: Bool
  private let completion: @Sendable ([UInt8]) -> Void

  init(slots: [Slot], isBatch: Bool, completion: @escaping @Sendable ([UInt8]) -> Void) {
    state = Mutex(State(slots: slots, remaining: 0))
    self.isBatch = isBatch
    self.completion = completion
  }

  func addDone(_ encoded: [UInt8]) { state.withLock { $0.slots.append(.done(encoded)) } }

  /// Reserves the next slot for a call that answers through `fill`.
  func addPending(_ id: JSONValue) -> Int {
    state.withLock { s in
      s.slots.append(.pending(id))
      s.remaining += 1
      return s.slots.count - 1
    }
  }

  func fill(_ index: Int, id: JSONValue, _ result: Result<JSONValue, RPCError>) {
    let encoded = RPCEnvelope.encode(id: id, result)
    let ready: [UInt8]? = state.withLock { s in
      guard case .pending = s.slots[index] else { return nil }
      s.slots[index] = .done(encoded)
      s.remaining -= 1
      guard s.remaining == 0, s.deferred else { return nil }
      return Self.join(s.slots.map(\.bytes), isBatch: isBatch)
    }
    if let ready { completion(ready) }
  }

  /// Called after every call was started: the response if all answered already.
  func finishStarting() -> [UInt8]? {
    state.withLock { s in
      if s.remaining == 0 { return Self.join(s.slots.map(\.bytes), isBatch: isBatch) }
      s.deferred = true
      return nil
    }
  }

  static func join(_ parts: [[UInt8]], isBatch: Bool) -> [UInt8] {
    guard isBatch else { return parts.first ?? [] }
    // A batch of notifications only gets no response at all (JSON-RPC 2.0 §6).
    if parts.isEmpty { return [] }
    var out: [UInt8] = [UInt8(ascii: "[")]
    out.reserveCapacity(parts.reduce(2) { $0 + $1.count + 1 })
    for (i, p) in parts.enumerated() {
      if i > 0 { out.append(UInt8(ascii: ",")) }
      out.append(contentsOf: p)
    }
    out.append(UInt8(ascii: "]"))
    return out
  }
}
