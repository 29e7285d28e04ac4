/// One connection's HTTP/1.1 logic as a value type: it is told what happened (bytes
/// arrived, the peer closed, a response is ready, bytes were written, a timer fired, the
/// server is shutting down) and answers with the next `Action`. It owns the decoder and
/// the output buffer but never a socket, so keep-alive, pipelining, 100-continue, error
/// handling, back-pressure and timeouts are all tested by feeding bytes.
///
/// ```
///            request decoded                 respond(), keep-alive
///   ┌──────┐ ───────────────► ┌───────────┐ ─────────────────────► back to open
///   │ open │                  │ awaiting  │
///   └──────┘ ◄─────────────── └───────────┘ ── respond(), close ──► closing
///      │ parse error, timeout,                                       │
///      │ peer closed, shutdown while idle ───────────────────────────┘
/// ```
/// Requests are answered strictly in order: while one is with the handler, later
/// pipelined requests stay in the decoder's buffer.
public struct HTTPConnectionStateMachine: Sendable {
  public enum Action: Sendable {
    /// Give the request to the handler, then call `respond(_:date:)`.
    case handle(HTTPRequest)
    /// Nothing to do until more bytes arrive.
    case readMore
    /// A request is with the handler.
    case awaitResponse
    /// The output buffer is above its high-water mark: write it out before decoding more
    /// pipelined requests.
    case drainOutput
    /// Flush the output buffer (it may hold a final error response), then close.
    case close
  }

  /// What the connection is waiting for; the event loop picks the timeout from it.
  public enum Phase: Sendable, Equatable {
    case idle
    case readingHead
    case readingBody
    case awaitingResponse
    /// Output is waiting for the socket to accept it.
    case writing
    case closing
  }

  private enum State: Sendable {
    case open
    case awaitingResponse(version: HTTPVersion, keepAlive: Bool, isHead: Bool)
    case closing
  }

  private var decoder: HTTPRequestDecoder
  private var state = State.open
  private var output: [UInt8] = []
  private var outputOffset = 0
  private var peerClosed = false
  private var shuttingDown = false
  /// Output above this stops decoding until it drains, so a client that pipelines without
  /// reading cannot make the server buffer unbounded responses.
  public var outputHighWaterMark = 64 * 1024
  /// While a request is with the handler, input beyond this is left in the socket.
  public var inputHighWaterMark = 64 * 1024

  public init(limits: HTTPLimits = HTTPLimits()) {
    decoder = HTTPRequestDecoder(limits: limits)
  }

  // MARK: Events

  public mutating func received(_ bytes: UnsafeRawBufferPointer) {
    if case .closing = state { return }
    decoder.append(bytes)
  }

  public mutating func received(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { received($0) }
  }

  /// The peer sent FIN. A request already with the handler is still answered (a client may
  /// half-close after sending); a partial request is dropped.
  public mutating func peerDidClose() { peerClosed = true }

  /// Graceful shutdown: the request with the handler is answered with `Connection: close`;
  /// an idle connection or a partly received request is closed.
  public mutating func shutdown() { shuttingDown = true }

  /// The timer for the current phase fired. A client in the middle of a request gets 408
  /// (RFC 9110 §15.5.9); an idle one is closed silently.
  public mutating func timedOut() {
    switch phase {
    case .readingHead, .readingBody:
      appendError(.requestTimeout, message: "request timeout")
    case .idle, .writing, .closing, .awaitingResponse:
      break
    }
    state = .closing
  }

  /// What to do next. Call until it returns something other than `.handle`.
  public mutating func next() -> Action {
    while true {
      switch state {
      case .closing:
        return .close
      case .awaitingResponse:
        return .awaitResponse
      case .open:
        if pendingOutputCount > outputHighWaterMark { return .drainOutput }
        if shuttingDown && !decoder.isMidRequest {
          state = .closing
          return .close
        }
        switch decoder.next() {
        case .request(let request):
          state = .awaitingResponse(
            version: request.version, keepAlive: request.keepAlive, isHead: request.method == .head)
          return .handle(request)
        case .expectContinue:
          output.append(contentsOf: HTTPResponseEncoder.continueResponse)
        case .error(let error):
          appendError(error.status, message: error.description)
          state = .closing
          return .close
        case .needMoreData:
          if peerClosed || shuttingDown {
            state = .closing
            return .close
          }
          return .readMore
        }
      }
    }
  }

  /// The handler's answer to the request last returned by `.handle`.
  public mutating func respond(_ response: HTTPResponse, date: HTTPDate? = nil) {
    // A response for a connection that was closed meanwhile (timeout, forced shutdown)
    // has nowhere to go.
    guard case .awaitingResponse(let version, let requested, let isHead) = state else { return }
    let keepAlive = requested && !shuttingDown && !peerClosed
    HTTPResponseEncoder.encode(
      response, requestVersion: version, keepAlive: keepAlive, isHead: isHead, date: date, into: &output)
    state = keepAlive ? .open : .closing
  }

  // MARK: Output

  public var pendingOutputCount: Int { output.count - outputOffset }

  /// The bytes waiting to be written.
  public func withPendingOutput<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
    output.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[outputOffset...])) }
  }

  /// `count` bytes of the pending output reached the socket.
  public mutating func didWrite(_ count: Int) {
    outputOffset += count
    if outputOffset == output.count {
      output.removeAll(keepingCapacity: output.capacity <= 64 * 1024)
      outputOffset = 0
    }
  }

  // MARK: Queries

  public var phase: Phase {
    switch state {
    case .closing: return .closing
    case .awaitingResponse: return pendingOutputCount > 0 ? .writing : .awaitingResponse
    case .open:
      if pendingOutputCount > 0 { return .writing }
      if decoder.isReadingBody { return .readingBody }
      if decoder.isMidRequest { return .readingHead }
      return .idle
    }
  }

  /// Whether the event loop should read from the socket now. False while output is
  /// pending (back-pressure), while the handler holds a request and enough input is
  /// buffered, and once closing.
  public var wantsToRead: Bool {
    switch state {
    case .closing: return false
    case .awaitingResponse: return !peerClosed && decoder.bufferedByteCount < inputHighWaterMark
    case .open: return !peerClosed && pendingOutputCount == 0
    }
  }

  public var hasPeerClosed: Bool { peerClosed }

  public var isClosing: Bool {
    if case .closing = state { return true }
    return false
  }

  private mutating func appendError(_ status: HTTPStatus, message: String) {
    HTTPResponseEncoder.encode(
      .jsonError(status, message: message), requestVersion: .http1_1, keepAlive: false, isHead: false,
      into: &output)
  }
}
