import BraidHTTP
import BraidPrimitives
import BraidRPC
import Glibc
import Testing

/// The whole stack over real loopback sockets: the epoll server, the codec, the router
/// and JSON-RPC against the in-memory chain, on an ephemeral port.
private final class LiveServer: Sendable {
  let chain: TestChain
  let server: HTTPServer<RPCService<InMemoryChain>>

  init(_ configure: (inout HTTPServerConfiguration) -> Void = { _ in }) throws {
    chain = TestChain()
    var c = HTTPServerConfiguration(host: "127.0.0.1", port: 0, threads: 2)
    configure(&c)
    server = try HTTPServer.start(configuration: c, handler: chain.service)
  }

  func connect() throws -> Wire { try Wire(port: server.port) }

  deinit {
    server.shutdown()
    server.wait()
  }
}

/// A blocking client with a receive timeout, so a server fault fails the test rather
/// than hanging it.
private final class Wire {
  let fd: Int32
  private var buffer: [UInt8] = []

  init(port: Int) throws {
    fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var tv = timeval(tv_sec: 5, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let rc = withUnsafePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    if rc != 0 {
      close(fd)
      throw WireError.connect
    }
  }

  deinit { close(fd) }

  enum WireError: Error { case connect, send, closed }

  func send(_ s: String) throws { try send(Array(s.utf8)) }

  func send(_ bytes: [UInt8]) throws {
    var offset = 0
    while offset < bytes.count {
      let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
      guard n > 0 else { throw WireError.send }
      offset += n
    }
  }

  /// One response: status, headers (lower-cased names) and body.
  func read() throws -> (status: Int, headers: [String: String], body: String) {
    while true {
      if let r = parse() { return r }
      var chunk = [UInt8](repeating: 0, count: 65536)
      let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
      guard n > 0 else { throw WireError.closed }
      buffer += chunk[0..<n]
    }
  }

  /// True when the server closes the connection (rather than the read timing out).
  func closedByServer() -> Bool {
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
      if n == 0 || (n < 0 && errno == ECONNRESET) { return true }
      if n < 0 { return false }
    }
  }

  private func parse() -> (status: Int, headers: [String: String], body: String)? {
    guard let end = (0..<max(0, buffer.count - 3)).first(where: { buffer[$0..<$0 + 4].elementsEqual([13, 10, 13, 10]) })
    else { return nil }
    let lines = String(decoding: buffer[..<end], as: UTF8.self).split(separator: "\r\n")
    var headers: [String: String] = [:]
    for line in lines.dropFirst() {
      let kv = line.split(separator: ":", maxSplits: 1)
      headers[kv[0].lowercased()] = kv.count > 1 ? String(kv[1].drop(while: { $0 == " " })) : ""
    }
    let length = Int(headers["content-length"] ?? "0") ?? 0
    guard buffer.count >= end + 4 + length else { return nil }
    let body = String(decoding: buffer[(end + 4)..<(end + 4 + length)], as: UTF8.self)
    buffer.removeFirst(end + 4 + length)
    return (Int(lines[0].split(separator: " ")[1]) ?? 0, headers, body)
  }
}

private func post(_ body: String, extra: String = "") -> String {
  "POST / HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n\(extra)Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
}

private func call(_ method: String, id: Int, params: String = "[]") -> String {
  #"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)","params":\#(params)}"#
}

@Test func keepAliveConnectionServesManyCalls() throws {
  let s = try LiveServer()
  let w = try s.connect()
  for i in 0..<50 {
    try w.send(post(call("eth_chainId", id: i)))
    let r = try w.read()
    #expect(r.status == 200)
    #expect(r.body == #"{"jsonrpc":"2.0","id":\#(i),"result":"0x539"}"#)
  }
}

@Test func pipelinedCallsAreAnsweredInOrder() throws {
  let s = try LiveServer()
  let w = try s.connect()
  try w.send((0..<20).map { post(call($0 % 2 == 0 ? "eth_chainId" : "eth_blockNumber", id: $0)) }.joined())
  for i in 0..<20 {
    let body = try w.read().body
    #expect(body.hasPrefix(#"{"jsonrpc":"2.0","id":\#(i),"#), "\(i): \(body)")
  }
}

@Test func chunkedBodyCarriesACall() throws {
  let s = try LiveServer()
  let w = try s.connect()
  let body = call("net_version", id: 9)
  let half = body.utf8.count / 2
  let a = String(body.prefix(half)), b = String(body.dropFirst(half))
  try w.send(
    "POST / HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
      + String(a.utf8.count, radix: 16) + "\r\n" + a + "\r\n" + String(b.utf8.count, radix: 16) + "\r\n" + b
      + "\r\n0\r\n\r\n")
  #expect(try w.read().body == #"{"jsonrpc":"2.0","id":9,"result":"1337"}"#)
}

@Test func batchSubmitsAndReadsBack() throws {
  let s = try LiveServer()
  let w = try s.connect()
  let raw = TestChain.signed(nonce: 0, to: TestChain.bob, value: UInt256(7))
  let hash = Keccak256.hash(raw).description
  let batch = "[" + [
    call("eth_sendRawTransaction", id: 1, params: "[\"\(Hex.encode(raw))\"]"),
    call("eth_getTransactionReceipt", id: 2, params: "[\"\(hash)\"]"),
    call("eth_getBalance", id: 3, params: "[\"\(TestChain.bob)\", \"latest\"]"),
  ].joined(separator: ",") + "]"
  try w.send(post(batch))
  let r = try JSONParser.parse(Array(try w.read().body.utf8)).arrayValue ?? []
  #expect(r.count == 3)
  #expect(r[0]["result"] == .string(hash))
  #expect(r[1]["result"]?["status"] == "0x1")
  #expect(r[2]["result"] == "0x56bc75e2d63100007")
}

@Test func expectContinueThenCall() throws {
  let s = try LiveServer()
  let w = try s.connect()
  let body = call("eth_chainId", id: 1)
  try w.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
  #expect(try w.read().status == 100)
  try w.send(body)
  #expect(try w.read().body.contains("0x539"))
}

@Test func http10ClientIsAnsweredThenClosed() throws {
  let s = try LiveServer()
  let w = try s.connect()
  try w.send("GET /healthz HTTP/1.0\r\n\r\n")
  let r = try w.read()
  #expect(r.status == 200 && r.headers["connection"] == "close")
  #expect(w.closedByServer())
}

/// Every refusal reaches the client as its status with a JSON body; framing errors also
/// close the connection.
@Test(arguments: [
  ("GET / HTTP/1.1\r\nHost: t\n\r\n", 400, true),
  ("GET /healthz HTTP/1.1\r\n\r\n", 400, true),
  ("POST / HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n\r\n", 411, true),
  ("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 6000000\r\n\r\n", 413, true),
  ("GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\nHost: t\r\n\r\n", 414, true),
  ("GET / HTTP/1.1\r\nHost: t\r\nX: " + String(repeating: "b", count: 9000) + "\r\n\r\n", 431, true),
  ("GET / HTTP/1.1\r\nHost: t\r\n" + String(repeating: "X-A: 1\r\n", count: 101) + "\r\n", 431, true),
  ("BREW / HTTP/1.1\r\nHost: t\r\n\r\n", 501, true),
  ("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501, true),
  ("GET / HTTP/3.0\r\nHost: t\r\n\r\n", 505, true),
  ("GET /nothing HTTP/1.1\r\nHost: t\r\n\r\n", 404, false),
  ("DELETE /healthz HTTP/1.1\r\nHost: t\r\n\r\n", 405, false),
  ("GET / HTTP/1.1\r\nHost: t\r\n\r\n", 405, false),
  ("POST / HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}", 415, false),
  ("GET /v1/state/0x12 HTTP/1.1\r\nHost: t\r\n\r\n", 400, false),
])
func errorPathsOverTheWire(request: String, status: Int, closes: Bool) throws {
  let s = try LiveServer()
  let w = try s.connect()
  try w.send(request)
  let r = try w.read()
  #expect(r.status == status)
  #expect(r.headers["content-type"] == "application/json")
  let body = try JSONParser.parse(Array(r.body.utf8))
  #expect(body["error"]?["code"] == .number(String(status)))
  if closes {
    #expect(r.headers["connection"] == "close")
    #expect(w.closedByServer())
  } else {
    try w.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
    #expect(try w.read().status == 200)
  }
}

@Test func jsonRPCErrorsTravelAs200() throws {
  let s = try LiveServer()
  let w = try s.connect()
  for (body, code) in [("{oops", -32700), ("[]", -32600), (call("eth_nope", id: 1), -32601), (call("eth_getBalance", id: 1), -32602)] {
    try w.send(post(body))
    let r = try w.read()
    #expect(r.status == 200)
    #expect(try JSONParser.parse(Array(r.body.utf8))["error"]?["code"] == .number(String(code)), "\(body)")
  }
}

@Test func slowClientIsCutOff() throws {
  let s = try LiveServer {
    $0.headerTimeout = .milliseconds(200)
    $0.bodyTimeout = .milliseconds(200)
  }
  let head = try s.connect()
  try head.send("POST / HTTP/1.1\r\nHost: t\r\n")
  #expect(try head.read().status == 408)
  let body = try s.connect()
  try body.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
  #expect(try body.read().status == 408)
  #expect(body.closedByServer())
  // The server still answers others.
  let fresh = try s.connect()
  try fresh.send(post(call("eth_chainId", id: 1)))
  #expect(try fresh.read().status == 200)
}
