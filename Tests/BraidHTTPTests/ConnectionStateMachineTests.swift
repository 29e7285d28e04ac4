import BraidHTTP
import Testing

/// A connection driven without a socket: `run` answers every request with its path as the
/// body and reports what the connection did.
private struct Harness {
  var machine: HTTPConnectionStateMachine
  var handled: [String] = []
  var lastAction: HTTPConnectionStateMachine.Action = .readMore

  init(limits: HTTPLimits = HTTPLimits()) { machine = HTTPConnectionStateMachine(limits: limits) }

  /// Runs until the machine waits; answers requests unless `defer` is set.
  mutating func run(deferring: Bool = false) {
    while true {
      let action = machine.next()
      lastAction = action
      guard case .handle(let request) = action else { return }
      handled.append("\(request.method.rawValue) \(request.target)")
      if deferring { return }
      machine.respond(HTTPResponse(status: .ok, body: Array(request.target.utf8)))
    }
  }

  mutating func feed(_ s: String, deferring: Bool = false) {
    machine.received(Array(s.utf8))
    run(deferring: deferring)
  }

  /// Everything written so far, as if the socket took it all.
  mutating func written() -> String {
    let out = machine.withPendingOutput { Array($0) }
    machine.didWrite(out.count)
    return String(decoding: out, as: UTF8.self)
  }

  var closing: Bool {
    if case .close = lastAction { return true }
    return false
  }
}

@Test func keepAliveConnectionServesRequestsInTurn() {
  var h = Harness()
  h.feed("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
  #expect(h.written() == "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n/a")
  #expect(h.machine.phase == .idle)
  h.feed("GET /b HTTP/1.1\r\nHost: x\r\n\r\n")
  #expect(h.written() == "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n/b")
  #expect(!h.closing && h.machine.wantsToRead)
}

@Test func pipelinedRequestsAreAnsweredInOrderInOneWrite() {
  var h = Harness()
  h.feed("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\n\r\n")
  #expect(h.handled == ["GET /1", "GET /2", "GET /3"])
  let out = h.written()
  #expect(out.split(separator: "HTTP/1.1 200 OK", omittingEmptySubsequences: false).count == 4)
  #expect(out.hasSuffix("/3"))
}

@Test func deferredResponseHoldsBackPipelinedRequests() {
  var h = Harness()
  h.feed("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n", deferring: true)
  #expect(h.handled == ["GET /1"])
  #expect(h.machine.next().isAwaitResponse)
  #expect(h.machine.phase == .awaitingResponse)
  h.machine.respond(HTTPResponse(status: .ok, body: Array("late".utf8)))
  h.run()
  #expect(h.handled == ["GET /1", "GET /2"])
  #expect(h.written() == "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlateHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n/2")
}

@Test func connectionCloseEndsTheConnectionAfterTheResponse() {
  var h = Harness()
  h.feed("GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /ignored HTTP/1.1\r\nHost: x\r\n\r\n")
  #expect(h.handled == ["GET /a"])
  #expect(h.closing)
  #expect(h.written().contains("Connection: close\r\n"))
}

@Test func http10WithoutKeepAliveCloses() {
  var h = Harness()
  h.feed("GET /a HTTP/1.0\r\n\r\n")
  #expect(h.closing)
  var k = Harness()
  k.feed("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
  #expect(!k.closing)
  #expect(k.written().contains("Connection: keep-alive\r\n"))
}

@Test func parseErrorAnswersWithItsStatusAndCloses() {
  var h = Harness()
  h.feed("GET / HTTP/1.1\r\nHost: x\r\n\r\nPOST / HTTP/1.1\r\nHost: x\r\n\r\n")
  #expect(h.closing)
  let out = h.written()
  #expect(out.hasPrefix("HTTP/1.1 200 OK"))
  #expect(out.contains("HTTP/1.1 411 Length Required\r\n"))
  #expect(out.contains("Connection: close\r\n"))
  #expect(out.hasSuffix(#"{"error":{"code":411,"message":"Content-Length or chunked Transfer-Encoding required"}}"#))
}

@Test func expectContinueSendsInterimResponseBeforeTheBody() {
  var h = Harness()
  h.feed("POST /up HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
  #expect(h.written() == "HTTP/1.1 100 Continue\r\n\r\n")
  #expect(h.machine.phase == .readingBody)
  h.feed("ok")
  #expect(h.written().hasPrefix("HTTP/1.1 200 OK\r\n"))
}

@Test func oversizedBodyWithExpectContinueIsRefusedWithoutContinue() {
  var h = Harness(limits: HTTPLimits(maxBodyBytes: 10))
  h.feed("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n")
  #expect(h.closing)
  #expect(h.written().hasPrefix("HTTP/1.1 413 Content Too Large\r\n"))
}

@Test func headRequestGetsHeadersOnly() {
  var h = Harness()
  h.feed("HEAD /abc HTTP/1.1\r\nHost: x\r\n\r\n")
  #expect(h.written() == "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n")
}

@Test func phasesFollowTheRequest() {
  var h = Harness()
  #expect(h.machine.phase == .idle)
  h.feed("POST / HTTP/1.1\r\nHo")
  #expect(h.machine.phase == .readingHead)
  h.feed("st: x\r\nContent-Length: 3\r\n\r\na")
  #expect(h.machine.phase == .readingBody)
  h.feed("bc")
  #expect(h.machine.phase == .writing)
  _ = h.written()
  #expect(h.machine.phase == .idle)
}

@Test func timeoutMidRequestAnswers408() {
  var h = Harness()
  h.feed("GET / HTTP/1.1\r\nHost")
  h.machine.timedOut()
  h.run()
  #expect(h.closing)
  #expect(h.written().hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
}

@Test func idleTimeoutClosesSilently() {
  var h = Harness()
  h.machine.timedOut()
  h.run()
  #expect(h.closing)
  #expect(h.written().isEmpty)
}

@Test func peerHalfCloseStillGetsItsResponse() {
  var h = Harness()
  h.machine.received(Array("GET /a HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
  h.machine.peerDidClose()
  h.run()
  #expect(h.handled == ["GET /a"])
  #expect(h.closing)
  #expect(h.written().contains("Connection: close\r\n"))
}

@Test func peerCloseMidRequestDropsIt() {
  var h = Harness()
  h.feed("GET /a HTTP/1.1\r\nHo")
  h.machine.peerDidClose()
  h.run()
  #expect(h.handled.isEmpty && h.closing)
  #expect(h.written().isEmpty)
}

@Test func shutdownFinishesTheRequestInFlightThenCloses() {
  var h = Harness()
  h.feed("GET /a HTTP/1.1\r\nHost: x\r\n\r\n", deferring: true)
  h.machine.shutdown()
  #expect(h.machine.next().isAwaitResponse)
  h.machine.respond(HTTPResponse(status: .ok))
  h.run()
  #expect(h.closing)
  #expect(h.written().contains("Connection: close\r\n"))

  var idle = Harness()
  idle.machine.shutdown()
  idle.run()
  #expect(idle.closing)
}

@Test func unreadOutputStopsDecodingPipelinedRequests() {
  var h = Harness()
  h.machine.outputHighWaterMark = 100
  let one = "GET /" + String(repeating: "p", count: 60) + " HTTP/1.1\r\nHost: x\r\n\r\n"
  h.feed(String(repeating: one, count: 5))
  // Two responses pass the 100-byte mark; the rest wait until the output drains.
  #expect(h.handled.count == 2)
  #expect(h.lastAction.isDrainOutput)
  #expect(!h.machine.wantsToRead)
  _ = h.written()
  h.run()
  #expect(h.handled.count == 4)
  _ = h.written()
  h.run()
  #expect(h.handled.count == 5)
  _ = h.written()
  #expect(h.machine.wantsToRead)
}

@Test func partialWritesLeaveTheRestPending() {
  var h = Harness()
  h.feed("GET /abc HTTP/1.1\r\nHost: x\r\n\r\n")
  let total = h.machine.pendingOutputCount
  h.machine.didWrite(10)
  #expect(h.machine.pendingOutputCount == total - 10)
  #expect(h.machine.phase == .writing && !h.machine.wantsToRead)
  let rest = h.machine.withPendingOutput { String(decoding: $0, as: UTF8.self) }
  #expect(rest.hasSuffix("/abc"))
}

extension HTTPConnectionStateMachine.Action {
  var isAwaitResponse: Bool {
    if case .awaitResponse = self { return true }
    return false
  }
  var isDrainOutput: Bool {
    if case .drainOutput = self { return true }
    return false
  }
}
