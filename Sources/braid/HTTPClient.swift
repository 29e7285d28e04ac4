/// A small blocking HTTP/1.1 client for `braid bench rpc`: one keep-alive TCP connection per
/// thread, one request in flight at a time. The response parser is a pure state machine with
/// no I/O (fed whatever bytes arrive, split anywhere), so it is tested without sockets.
///
/// It understands what a server may answer a POST with: a status line, headers, then a body
/// framed by Content-Length or chunked transfer coding (RFC 9112 §6–7); 1xx interim
/// responses are skipped. It is a benchmark client, not a general one: no redirects, no
/// TLS, no trailers kept.
#if canImport(Glibc)
  import Glibc
#endif

struct HTTPClientError: Error, CustomStringConvertible, Equatable {
  let description: String
  init(_ description: String) { self.description = description }
}

struct HTTPClientResponse: Equatable {
  var status: Int
  var headers: [(name: String, value: String)]
  var body: [UInt8]
  /// The server said `Connection: close`: this connection takes no further request.
  var closes: Bool

  static func == (a: Self, b: Self) -> Bool {
    a.status == b.status && a.body == b.body && a.closes == b.closes
      && a.headers.elementsEqual(b.headers) { $0.name == $1.name && $0.value == $1.value }
  }
}

/// Parses one response at a time from a byte stream. `feed` appends bytes; `next` returns a
/// complete response once one is buffered (leaving any following bytes for the next call).
struct HTTPResponseParser {
  private var buffer: [UInt8] = []
  private var start = 0
  /// Headers larger than this are an error rather than an unbounded buffer.
  let maxHeaderBytes: Int

  init(maxHeaderBytes: Int = 64 * 1024) { self.maxHeaderBytes = maxHeaderBytes }

  mutating func feed(_ bytes: UnsafeRawBufferPointer) { buffer.append(contentsOf: bytes) }
  mutating func feed(_ bytes: [UInt8]) { buffer.append(contentsOf: bytes) }

  /// The next complete response, or nil when more bytes are needed.
  mutating func next() throws(HTTPClientError) -> HTTPClientResponse? {
    while true {
      guard let response = try parse() else {
        if start > 0 && start == buffer.count {
          buffer.removeAll(keepingCapacity: true)
          start = 0
        }
        return nil
      }
      // 1xx responses are interim (100 Continue): the real answer follows.
      if (100..<200).contains(response.status) { continue }
      return response
    }
  }

  private mutating func parse() throws(HTTPClientError) -> HTTPClientResponse? {
    guard let headerEnd = find(crlfcrlf, from: start) else {
      if buffer.count - start > maxHeaderBytes { throw HTTPClientError("response headers too large") }
      return nil
    }
    let lines = String(decoding: buffer[start..<headerEnd], as: UTF8.self).split(
      separator: "\r\n", omittingEmptySubsequences: false)
    let statusParts = lines[0].split(separator: " ", maxSplits: 2)
    guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), statusParts[1].count == 3,
      let status = Int(statusParts[1])
    else { throw HTTPClientError("malformed status line '\(lines[0].prefix(60))'") }
    var headers: [(name: String, value: String)] = []
    var contentLength: Int?
    var chunked = false
    var closes = statusParts[0] == "HTTP/1.0"
    for line in lines.dropFirst() {
      guard let colon = line.firstIndex(of: ":") else { throw HTTPClientError("malformed header line") }
      let name = String(line[..<colon])
      let value = line[line.index(after: colon)...].trimmingWhitespace()
      headers.append((name, value))
      switch name.lowercased() {
      case "content-length":
        guard let n = Int(value), n >= 0, contentLength == nil || contentLength == n else {
          throw HTTPClientError("bad Content-Length '\(value)'")
        }
        contentLength = n
      case "transfer-encoding":
        chunked = value.lowercased().hasSuffix("chunked")
      case "connection":
        let v = value.lowercased()
        if v.contains("close") { closes = true } else if v.contains("keep-alive") { closes = false }
      default: break
      }
    }
    let bodyStart = headerEnd + 4
    let body: [UInt8]
    let end: Int
    if status == 204 || status == 304 || (100..<200).contains(status) {
      (body, end) = ([], bodyStart)
    } else if chunked {
      guard let (b, e) = try dechunk(from: bodyStart) else { return nil }
      (body, end) = (b, e)
    } else if let contentLength {
      guard buffer.count - bodyStart >= contentLength else { return nil }
      (body, end) = (Array(buffer[bodyStart..<bodyStart + contentLength]), bodyStart + contentLength)
    } else {
      // Without framing the body runs to the end of the connection; a benchmark server
      // always frames its answers, so this is refused rather than half-supported.
      throw HTTPClientError("response has neither Content-Length nor chunked encoding")
    }
    start = end
    return HTTPClientResponse(status: status, headers: headers, body: body, closes: closes)
  }

  /// The chunked body starting at `from` and the offset after it, or nil if incomplete.
  private func dechunk(from: Int) throws(HTTPClientError) -> ([UInt8], Int)? {
    var body: [UInt8] = []
    var at = from
    while true {
      guard let lineEnd = find(crlf, from: at) else { return nil }
      let sizeText = String(decoding: buffer[at..<lineEnd], as: UTF8.self)
        .split(separator: ";", maxSplits: 1).first.map { $0.trimmingWhitespace() } ?? ""
      guard let size = Int(sizeText, radix: 16), size >= 0 else {
        throw HTTPClientError("bad chunk size '\(sizeText.prefix(20))'")
      }
      at = lineEnd + 2
      if size == 0 {
        // Trailer fields, if any, then the empty line.
        while true {
          guard let e = find(crlf, from: at) else { return nil }
          let empty = e == at
          at = e + 2
          if empty { return (body, at) }
        }
      }
      guard buffer.count - at >= size + 2 else { return nil }
      body.append(contentsOf: buffer[at..<at + size])
      guard buffer[at + size] == 13, buffer[at + size + 1] == 10 else {
        throw HTTPClientError("chunk not followed by CRLF")
      }
      at += size + 2
    }
  }

  private func find(_ needle: [UInt8], from: Int) -> Int? {
    guard buffer.count - from >= needle.count else { return nil }
    var i = from
    let last = buffer.count - needle.count
    while i <= last {
      if buffer[i] == needle[0] {
        var j = 1
        while j < needle.count && buffer[i + j] == needle[j] { j += 1 }
        if j == needle.count { return i }
      }
      i += 1
    }
    return nil
  }
}

private let crlf: [UInt8] = [13, 10]
private let crlfcrlf: [UInt8] = [13, 10, 13, 10]

extension Substring {
  fileprivate func trimmingWhitespace() -> String {
    String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
  }
}

/// One blocking keep-alive connection. Not shared between threads: each benchmark thread
/// owns its own, so there is nothing to lock.
final class HTTPClientConnection {
  private var fd: Int32
  private var parser = HTTPResponseParser()
  private let hostHeader: String
  private var readBuffer = [UInt8](repeating: 0, count: 256 * 1024)

  /// Connects to a literal IPv4 or IPv6 address, or `localhost`.
  init(host: String, port: Int) throws(HTTPClientError) {
    let address = host == "localhost" ? "127.0.0.1" : host
    var v4 = in_addr()
    var v6 = in6_addr()
    let family: Int32
    if inet_pton(AF_INET, address, &v4) == 1 {
      family = AF_INET
    } else if inet_pton(AF_INET6, address, &v6) == 1 {
      family = AF_INET6
    } else {
      throw HTTPClientError("\(host) is not an IP address (or localhost)")
    }
    let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw HTTPClientError("socket: \(Self.errnoText())") }
    var result: Int32
    if family == AF_INET {
      var sin = sockaddr_in()
      sin.sin_family = sa_family_t(AF_INET)
      sin.sin_port = in_port_t(UInt16(port).bigEndian)
      sin.sin_addr = v4
      result = withUnsafePointer(to: &sin) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
          Self.retrying { connect(fd, address, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
      }
    } else {
      var sin6 = sockaddr_in6()
      sin6.sin6_family = sa_family_t(AF_INET6)
      sin6.sin6_port = in_port_t(UInt16(port).bigEndian)
      sin6.sin6_addr = v6
      result = withUnsafePointer(to: &sin6) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
          Self.retrying { connect(fd, address, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        }
      }
    }
    guard result == 0 else {
      let text = Self.errnoText()
      close(fd)
      throw HTTPClientError("connect to \(host):\(port): \(text)")
    }
    // Requests are written whole; Nagle's delay would only hold back the last segment.
    var one: Int32 = 1
    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    self.fd = fd
    hostHeader = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
  }

  /// For tests: a connection over an already connected socket (one end of a socketpair).
  init(descriptor: Int32, hostHeader: String = "test") {
    fd = descriptor
    self.hostHeader = hostHeader
  }

  deinit { if fd >= 0 { close(fd) } }

  /// POSTs a JSON body and waits for the whole response.
  func postJSON(path: String = "/", body: [UInt8]) throws(HTTPClientError) -> HTTPClientResponse {
    let head =
      "POST \(path) HTTP/1.1\r\nHost: \(hostHeader)\r\nContent-Type: application/json\r\n"
      + "Content-Length: \(body.count)\r\n\r\n"
    return try exchange(Array(head.utf8) + body)
  }

  func get(path: String) throws(HTTPClientError) -> HTTPClientResponse {
    try exchange(Array("GET \(path) HTTP/1.1\r\nHost: \(hostHeader)\r\n\r\n".utf8))
  }

  /// Writes a whole request, then reads until one response is complete.
  func exchange(_ request: [UInt8]) throws(HTTPClientError) -> HTTPClientResponse {
    guard fd >= 0 else { throw HTTPClientError("connection is closed") }
    try writeAll(request)
    while true {
      if let response = try parser.next() {
        if response.closes { shutDown() }
        return response
      }
      let n = readBuffer.withUnsafeMutableBytes { b in Self.retrying { read(fd, b.baseAddress, b.count) } }
      if n < 0 { throw HTTPClientError("read: \(Self.errnoText())") }
      if n == 0 {
        shutDown()
        throw HTTPClientError("server closed the connection before a complete response")
      }
      readBuffer.withUnsafeBytes { parser.feed(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
    }
  }

  private func writeAll(_ bytes: [UInt8]) throws(HTTPClientError) {
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes { b in
        Self.retrying { send(fd, b.baseAddress! + offset, b.count - offset, Int32(MSG_NOSIGNAL)) }
      }
      if n < 0 { throw HTTPClientError("write: \(Self.errnoText())") }
      offset += n
    }
  }

  private func shutDown() {
    if fd >= 0 { close(fd) }
    fd = -1
  }

  private static func retrying<T: FixedWidthInteger>(_ call: () -> T) -> T {
    while true {
      let r = call()
      if r == -1 && errno == EINTR { continue }
      return r
    }
  }

  private static func errnoText() -> String { String(cString: strerror(errno)) }
}
