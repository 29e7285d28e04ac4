import BraidHTTP
import Glibc
import Synchronization
import Testing

/// The server over real loopback sockets: what the state machine decides actually reaches
/// the wire, and timeouts, limits and shutdown work on live connections.
/// Responders of `/defer` requests, answered by the test.
private final class Parked: Sendable {
  let responders = Mutex<[HTTPResponder]>([])
  var count: Int { responders.withLock { $0.count } }
}

private struct EchoHandler: HTTPHandler {
  let parked = Parked()

  func handle(_ request: HTTPRequest, responder: HTTPResponder) -> HTTPHandlerResult {
    switch request.path {
    case "/defer":
      parked.responders.withLock { $0.append(responder) }
      return .deferred
    case "/big":
      return .response(HTTPResponse(status: .ok, body: [UInt8](repeating: 0x62, count: 4 << 20)))
    default:
      let text = "\(request.method.rawValue) \(request.target) \(String(decoding: request.body, as: UTF8.self))"
      return .response(HTTPResponse(status: .ok, headers: [("Content-Type", "text/plain")], body: Array(text.utf8)))
    }
  }

  func answerParked(_ body: String) -> Int {
    let responders = parked.responders.withLock { p in
      defer { p.removeAll() }
      return p
    }
    for r in responders { r.respond(HTTPResponse(status: .ok, body: Array(body.utf8))) }
    return responders.count
  }
}

private final class Running: Sendable {
  let handler = EchoHandler()
  let server: HTTPServer<EchoHandler>

  init(_ configure: (inout HTTPServerConfiguration) -> Void = { _ in }) throws {
    var c = HTTPServerConfiguration(host: "127.0.0.1", port: 0, threads: 2)
    configure(&c)
    server = try HTTPServer.start(configuration: c, handler: handler)
  }

  func client() throws -> SocketClient { try SocketClient(port: server.port) }

  deinit {
    server.shutdown()
    server.wait()
  }
}

/// Polls a condition the server reaches asynchronously, a bounded number of times.
private func eventually(_ condition: () -> Bool) -> Bool {
  for _ in 0..<500 {
    if condition() { return true }
    usleep(10_000)
  }
  return condition()
}

@Test func keepAliveConnectionCarriesPipelinedRequests() throws {
  let s = try Running()
  let c = try s.client()
  try c.send("GET /1 HTTP/1.1\r\nHost: t\r\n\r\nPOST /2 HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabcGET /3 HTTP/1.1\r\nHost: t\r\n\r\n")
  #expect(try c.readResponse()?.text == "GET /1 ")
  #expect(try c.readResponse()?.text == "POST /2 abc")
  #expect(try c.readResponse()?.text == "GET /3 ")
  try c.send("GET /4 HTTP/1.1\r\nHost: t\r\n\r\n")
  let fourth = try c.readResponse()
  #expect(fourth?.text == "GET /4 ")
  #expect(fourth?.header("Date") != nil)
}

@Test func chunkedRequestBodyArrivesWhole() throws {
  let s = try Running()
  let c = try s.client()
  try c.send("POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbrai\r\n1;x=y\r\nd\r\n0\r\n\r\n")
  #expect(try c.readResponse()?.text == "POST /c braid")
}

@Test func expectContinueGetsInterimResponse() throws {
  let s = try Running()
  let c = try s.client()
  try c.send("POST /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
  #expect(try c.readResponse()?.status == 100)
  try c.send("ok")
  #expect(try c.readResponse()?.text == "POST /e ok")
}

@Test func malformedRequestGetsItsStatusThenEndOfStream() throws {
  let s = try Running()
  let c = try s.client()
  try c.send("BREW /pot HTTP/1.1\r\nHost: t\r\n\r\n")
  let r = try c.readResponse()
  #expect(r?.status == 501)
  #expect(r?.header("Connection") == "close")
  #expect(c.readsEndOfStream())
}

@Test func oversizedBodyIsRefusedAndTheClientReadsTheRefusal() throws {
  let s = try Running { $0.limits.maxBodyBytes = 1000 }
  let c = try s.client()
  try c.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n" + String(repeating: "x", count: 5000))
  #expect(try c.readResponse()?.status == 413)
  #expect(c.readsEndOfStream())
}

@Test func deferredResponsesKeepPipelinedOrder() throws {
  let s = try Running()
  let c = try s.client()
  try c.send("GET /defer HTTP/1.1\r\nHost: t\r\n\r\nGET /after HTTP/1.1\r\nHost: t\r\n\r\n")
  #expect(eventually { s.handler.parked.count == 1 })
  #expect(s.handler.answerParked("deferred") == 1)
  #expect(try c.readResponse()?.text == "deferred")
  #expect(try c.readResponse()?.text == "GET /after ")
}

@Test func slowHeadIsCutOffWith408() throws {
  let s = try Running { $0.headerTimeout = .milliseconds(200) }
  let c = try s.client()
  try c.send("GET / HTTP/1.1\r\nHo")
  let r = try c.readResponse()
  #expect(r?.status == 408)
  #expect(c.readsEndOfStream())
}

@Test func trickledBytesDoNotExtendTheHeaderTimeout() throws {
  let s = try Running {
    $0.headerTimeout = .milliseconds(300)
    $0.lingerTimeout = .milliseconds(200)
  }
  let c = try s.client()
  var answered: SocketClient.Response?
  // One byte every 50 ms would take far longer than the timeout to finish the head.
  for byte in "GET / HTTP/1.1\r\nHost: t\r\nX-Slow: \(String(repeating: "z", count: 200))\r\n\r\n".utf8 {
    if (try? c.send([byte])) == nil { break }
    usleep(50_000)
    if s.server.openConnections == 0 { break }
  }
  answered = try? c.readResponse()
  #expect(answered == nil || answered?.status == 408)
  #expect(eventually { s.server.openConnections == 0 })
}

@Test func idleConnectionIsClosedSilently() throws {
  let s = try Running { $0.idleTimeout = .milliseconds(200) }
  let c = try s.client()
  try c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
  #expect(try c.readResponse()?.status == 200)
  #expect(c.readsEndOfStream())
}

@Test func busyKeepAliveConnectionIsNotTimedOutAsIdle() throws {
  let s = try Running { $0.idleTimeout = .seconds(1) }
  let c = try s.client()
  // Requests 50 ms apart for well past the idle timeout: each restarts the idle clock.
  for i in 0..<40 {
    try c.send("GET /\(i) HTTP/1.1\r\nHost: t\r\n\r\n")
    #expect(try c.readResponse()?.text == "GET /\(i) ")
    usleep(50_000)
  }
}

@Test func connectionsBeyondTheLimitAreClosed() throws {
  let s = try Running {
    $0.maxConnections = 2
    $0.threads = 1
  }
  let a = try s.client()
  let b = try s.client()
  for c in [a, b] {
    try c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
    #expect(try c.readResponse()?.status == 200)
  }
  let refused = try s.client()
  #expect(refused.readsEndOfStream())
  #expect(s.server.openConnections == 2)
}

@Test func largeResponseIsWrittenAcrossManyWrites() throws {
  let s = try Running()
  let c = try s.client()
  try c.send("GET /big HTTP/1.1\r\nHost: t\r\n\r\nGET /small HTTP/1.1\r\nHost: t\r\n\r\n")
  let big = try c.readResponse()
  #expect(big?.body.count == 4 << 20)
  #expect(big?.body.allSatisfy { $0 == 0x62 } == true)
  #expect(try c.readResponse()?.text == "GET /small ")
}

@Test func gracefulShutdownFinishesTheRequestInFlight() throws {
  let s = try Running()
  let busy = try s.client()
  let idle = try s.client()
  try idle.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
  #expect(try idle.readResponse()?.status == 200)
  try busy.send("GET /defer HTTP/1.1\r\nHost: t\r\n\r\n")
  #expect(eventually { s.handler.parked.count == 1 })

  s.server.shutdown()
  #expect(idle.readsEndOfStream())
  #expect(s.handler.answerParked("finished") == 1)
  let r = try busy.readResponse()
  #expect(r?.text == "finished")
  #expect(r?.header("Connection") == "close")
  s.server.wait()
  #expect(s.server.openConnections == 0)
  #expect((try? SocketClient(port: s.server.port)) == nil)
}
