/// The server: configuration, the handler protocol, and the object that starts the event
/// loops and shuts them down.
import CEpoll
#if canImport(Glibc)
  import Glibc
#endif
import Synchronization

/// Answers requests. Called on an event-loop thread, so it must not block: return the
/// response, or return `.deferred` after keeping `responder` and answer from any thread
/// later (a transaction waiting for its block, a journal waiting for fsync).
public protocol HTTPHandler: Sendable {
  func handle(_ request: HTTPRequest, responder: HTTPResponder) -> HTTPHandlerResult
}

public enum HTTPHandlerResult: Sendable {
  case response(HTTPResponse)
  case deferred
}

/// Delivers a deferred response to the loop that owns the connection. Answering twice, or
/// after the connection closed, is harmless: the stale answer is dropped.
public struct HTTPResponder: Sendable {
  private enum Target: Sendable {
    case loop(ResponseInbox, slot: Int, sequence: UInt64)
    case callback(@Sendable (HTTPResponse) -> Void)
  }

  private let target: Target

  init(inbox: ResponseInbox, slot: Int, sequence: UInt64) {
    target = .loop(inbox, slot: slot, sequence: sequence)
  }

  /// A responder that hands the response to `callback`: for driving a handler without a
  /// server (tests, embedding).
  public init(_ callback: @escaping @Sendable (HTTPResponse) -> Void) {
    target = .callback(callback)
  }

  public func respond(_ response: HTTPResponse) {
    switch target {
    case .loop(let inbox, let slot, let sequence):
      inbox.post(DeferredResponse(slot: slot, sequence: sequence, response: response))
    case .callback(let callback):
      callback(response)
    }
  }
}

struct DeferredResponse: Sendable {
  var slot: Int
  var sequence: UInt64
  var response: HTTPResponse
}

/// Responses handed over from other threads, and the eventfd that wakes the loop for them.
final class ResponseInbox: Sendable {
  let pending = Mutex<[DeferredResponse]>([])
  let wake: WakeSignal

  init(wake: WakeSignal) { self.wake = wake }

  func post(_ item: DeferredResponse) {
    pending.withLock { $0.append(item) }
    wake.signal()
  }

  func take() -> [DeferredResponse] {
    pending.withLock { items in
      var taken: [DeferredResponse] = []
      swap(&taken, &items)
      return taken
    }
  }
}

public struct HTTPServerConfiguration: Sendable {
  /// A literal IPv4 or IPv6 address.
  public var host: String
  /// 0 asks the kernel for a free port; `HTTPServer.port` says which.
  public var port: Int
  /// Event loops, one thread each.
  public var threads: Int
  /// Open connections across all loops; a connection over the limit is closed on accept.
  public var maxConnections: Int
  public var backlog: Int32
  public var limits: HTTPLimits
  /// Between requests on a keep-alive connection.
  public var idleTimeout: Duration
  /// From a request's first byte to the end of its head; not extended by trickled bytes,
  /// which is what makes a slow-loris client cheap to cut off.
  public var headerTimeout: Duration
  /// From the end of the head to the end of the body.
  public var bodyTimeout: Duration
  /// While the peer does not take the output it is sent.
  public var writeTimeout: Duration
  /// How long graceful shutdown waits for in-flight requests before closing regardless.
  public var shutdownGracePeriod: Duration
  /// After a final response, how long to drain input so the peer reads the response
  /// instead of a reset (RFC 9112 §9.6).
  public var lingerTimeout: Duration
  /// Called for conditions an operator should see (descriptor exhaustion); never per request.
  public var onError: (@Sendable (String) -> Void)?

  public init(
    host: String = "127.0.0.1", port: Int = 8545, threads: Int = HTTPServerConfiguration.processorCount,
    maxConnections: Int = 10_000, backlog: Int32 = 1024, limits: HTTPLimits = HTTPLimits(),
    idleTimeout: Duration = .seconds(60), headerTimeout: Duration = .seconds(10),
    bodyTimeout: Duration = .seconds(30), writeTimeout: Duration = .seconds(30),
    shutdownGracePeriod: Duration = .seconds(10), lingerTimeout: Duration = .seconds(2),
    onError: (@Sendable (String) -> Void)? = nil
  ) {
    self.host = host
    self.port = port
    self.threads = threads
    self.maxConnections = maxConnections
    self.backlog = backlog
    self.limits = limits
    self.idleTimeout = idleTimeout
    self.headerTimeout = headerTimeout
    self.bodyTimeout = bodyTimeout
    self.writeTimeout = writeTimeout
    self.shutdownGracePeriod = shutdownGracePeriod
    self.lingerTimeout = lingerTimeout
    self.onError = onError
  }

  public static var processorCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}

/// State every loop of one server reads.
final class ServerShared: Sendable {
  let configuration: HTTPServerConfiguration
  let openConnections = Atomic<Int>(0)
  let shuttingDown = Atomic<Bool>(false)

  init(configuration: HTTPServerConfiguration) { self.configuration = configuration }
}

/// A running server. `start` binds every loop's socket before any thread starts, so a bind
/// error is reported to the caller rather than on a loop thread.
public final class HTTPServer<Handler: HTTPHandler>: Sendable {
  public let port: Int
  private let shared: ServerShared
  private let loops: [EventLoop<Handler>]
  private let threads: [pthread_t]
  private let joined = Atomic<Bool>(false)

  public static func start(configuration: HTTPServerConfiguration, handler: Handler) throws(IOError) -> HTTPServer {
    precondition(configuration.threads >= 1, "at least one event loop")
    // A peer closing mid-write must surface as EPIPE, not kill the process.
    signal(SIGPIPE, SIG_IGN)
    let shared = ServerShared(configuration: configuration)
    var loops: [EventLoop<Handler>] = []
    var port = configuration.port
    do throws(IOError) {
      for _ in 0..<configuration.threads {
        let listenFD = try Socket.listen(host: configuration.host, port: port, backlog: configuration.backlog)
        if port == 0 { port = try Socket.localPort(listenFD) }
        do throws(IOError) {
          loops.append(try EventLoop(shared: shared, handler: handler, listenFD: listenFD))
        } catch {
          closeDescriptor(listenFD)
          throw error
        }
      }
    } catch {
      for loop in loops { loop.releaseUnstarted() }
      throw error
    }
    var threads: [pthread_t] = []
    for (index, loop) in loops.enumerated() {
      threads.append(startThread(name: "braid-http-\(index)") { loop.run() })
    }
    return HTTPServer(port: port, shared: shared, loops: loops, threads: threads)
  }

  private init(port: Int, shared: ServerShared, loops: [EventLoop<Handler>], threads: [pthread_t]) {
    self.port = port
    self.shared = shared
    self.loops = loops
    self.threads = threads
  }

  /// Connections open right now, across all loops.
  public var openConnections: Int { shared.openConnections.load(ordering: .relaxed) }

  /// Begins graceful shutdown and returns at once: every loop closes its listening socket,
  /// answers the requests it holds with `Connection: close`, closes idle connections, and
  /// exits when none remain or the grace period ends. `wait()` blocks until then.
  public func shutdown() {
    shared.shuttingDown.store(true, ordering: .releasing)
    for loop in loops { loop.inbox.wake.signal() }
  }

  /// Blocks until every loop thread has exited. Only the first caller joins.
  public func wait() {
    guard !joined.exchange(true, ordering: .acquiringAndReleasing) else { return }
    for thread in threads { pthread_join(thread, nil) }
  }
}

/// A closure to run on a new thread; boxed because pthread passes one raw pointer.
private final class ThreadEntry {
  let body: () -> Void
  init(_ body: @escaping () -> Void) { self.body = body }
}

/// Plain pthreads: each loop thread spends its life in epoll_wait, which has no place in
/// a cooperative thread pool.
private func startThread(name: String, _ body: @escaping @Sendable () -> Void) -> pthread_t {
  let entry = Unmanaged.passRetained(ThreadEntry(body)).toOpaque()
  var thread = pthread_t()
  let rc = pthread_create(
    &thread, nil,
    { argument in
      let entry = Unmanaged<ThreadEntry>.fromOpaque(argument!).takeRetainedValue()
      entry.body()
      return nil
    }, entry)
  precondition(rc == 0, "pthread_create failed: \(rc)")
  // Names show in top and gdb; the kernel allows 15 bytes.
  _ = pthread_setname_np(thread, String(name.prefix(15)))
  return thread
}
