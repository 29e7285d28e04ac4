/// The incremental HTTP/1.1 request decoder (RFC 9112), with explicit limits.
///
/// Bytes go in with `append` in whatever pieces the socket delivers; `next()` returns
/// the next complete request, a request for `100 Continue`, a need for more bytes, or a
/// parse error. The outcome never depends on how the input was split: every check is made
/// either when a line is complete or as soon as a limit is exceeded, and a limit is never
/// decided differently for a complete line than for its prefix. Requests that follow each
/// other in the buffer (pipelining) come out one per `next()` call.
///
/// Framing is strict on purpose, because a lenient parser in front of another one is how
/// request smuggling happens: lines end in CRLF, no whitespace before a header's colon,
/// no obs-fold, Content-Length and Transfer-Encoding never together, and a transfer
/// coding other than a final `chunked` is refused.
#if canImport(Glibc)
  import Glibc
#endif

public struct HTTPRequestDecoder: Sendable {
  public enum Event: Sendable {
    case request(HTTPRequest)
    /// The head asked for `Expect: 100-continue` and none of the body has arrived: the
    /// server should send `100 Continue` (RFC 9110 §10.1.1). Reported at most once per
    /// request.
    case expectContinue
    case needMoreData
    case error(HTTPParseError)
  }

  public let limits: HTTPLimits

  private var buffer: [UInt8] = []
  /// The first byte not yet consumed.
  private var start = 0
  /// Where the search for the next LF resumes, so a line trickling in byte by byte is
  /// scanned once, not once per byte.
  private var scan = 0
  private var phase = Phase.requestLine
  private var head = PartialHead()
  /// A chunked body, de-chunked as it arrives.
  private var chunkedBody: [UInt8] = []
  private var failure: HTTPParseError?

  private enum Phase: Sendable {
    case requestLine
    case headers
    case fixedBody(length: Int)
    case chunkSize
    case chunkData(remaining: Int)
    case chunkDataEnd
    case trailers
  }

  private struct PartialHead: Sendable {
    var method = HTTPMethod.get
    var target = ""
    var version = HTTPVersion.http1_1
    var headers = HTTPHeaders()
    var fieldCount = 0
    var expectsContinue = false
    /// Some byte of this request (even a leading CRLF) has arrived.
    var started = false
  }

  public init(limits: HTTPLimits = HTTPLimits()) { self.limits = limits }

  /// Bytes received and not yet consumed by a returned request.
  public var bufferedByteCount: Int { buffer.count - start }

  /// Part of a request has arrived: the connection is not idle.
  public var isMidRequest: Bool {
    if case .requestLine = phase { return head.started || start < buffer.count }
    return true
  }

  /// The head is complete and the body is still arriving.
  public var isReadingBody: Bool {
    switch phase {
    case .requestLine, .headers: return false
    default: return true
    }
  }

  public mutating func append(_ bytes: UnsafeRawBufferPointer) {
    compactIfWorthwhile()
    buffer.append(contentsOf: bytes)
  }

  public mutating func append(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { append($0) }
  }

  public mutating func next() -> Event {
    if let failure { return .error(failure) }
    do {
      return try step()
    } catch {
      failure = error
      return .error(error)
    }
  }

  private mutating func step() throws(HTTPParseError) -> Event {
    while true {
      switch phase {
      case .requestLine:
        if start < buffer.count { head.started = true }
        guard let line = try nextLine(tooLong: .requestLineTooLong) else { return .needMoreData }
        // RFC 9112 §2.2: empty lines before a request line are ignored.
        if line.isEmpty { continue }
        try withBytes(line) { (b) throws(HTTPParseError) in try parseRequestLine(b) }
        phase = .headers

      case .headers:
        guard let line = try nextLine(tooLong: .headerLineTooLong) else { return .needMoreData }
        if line.isEmpty {
          if let event = try headComplete() { return event }
          continue
        }
        try countField()
        let field = try withBytes(line) { (b) throws(HTTPParseError) in try parseField(b) }
        head.headers.add(name: field.name, value: field.value)

      case .fixedBody(let length):
        guard buffer.count - start >= length else { return .needMoreData }
        let body = Array(buffer[start..<start + length])
        start += length
        scan = start
        return .request(finish(body: body))

      case .chunkSize:
        guard let line = try nextLine(tooLong: .invalidChunk) else { return .needMoreData }
        let size = try withBytes(line) { (b) throws(HTTPParseError) in try parseChunkSize(b) }
        guard size <= limits.maxBodyBytes - chunkedBody.count else { throw .bodyTooLarge }
        phase = size == 0 ? .trailers : .chunkData(remaining: size)

      case .chunkData(let remaining):
        let n = min(remaining, buffer.count - start)
        guard n > 0 else { return .needMoreData }
        chunkedBody.append(contentsOf: buffer[start..<start + n])
        start += n
        scan = start
        phase = n == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - n)

      case .chunkDataEnd:
        // Checked byte by byte so a wrong first byte fails the same whether or not the
        // second has arrived.
        guard start < buffer.count else { return .needMoreData }
        guard buffer[start] == cr else { throw .invalidChunk }
        guard start + 1 < buffer.count else { return .needMoreData }
        guard buffer[start + 1] == lf else { throw .invalidChunk }
        start += 2
        scan = start
        phase = .chunkSize

      case .trailers:
        guard let line = try nextLine(tooLong: .headerLineTooLong) else { return .needMoreData }
        if line.isEmpty {
          var body: [UInt8] = []
          swap(&body, &chunkedBody)
          return .request(finish(body: body))
        }
        // Trailer fields are validated and counted, then dropped: nothing here reads them,
        // and merging them into the head is how trailers smuggle headers (RFC 9110 §6.5.1).
        try countField()
        _ = try withBytes(line) { (b) throws(HTTPParseError) in try parseField(b) }
      }
    }
  }

  // MARK: Lines

  /// The next complete line, CRLF excluded, consumed from the buffer; nil while it is
  /// incomplete. A line longer than `maxLineBytes` fails as soon as that many bytes plus a
  /// possible CR have arrived without an LF, and fails the same way when complete.
  private mutating func nextLine(tooLong: HTTPParseError) throws(HTTPParseError) -> Range<Int>? {
    let limit = limits.maxLineBytes
    let end = buffer.count
    let found: Int? = buffer.withUnsafeBytes { raw in
      guard scan < end, let p = memchr(raw.baseAddress! + scan, Int32(lf), end - scan) else { return nil }
      return raw.baseAddress!.distance(to: UnsafeRawPointer(p))
    }
    guard let lfIndex = found else {
      if end - start > limit + 1 { throw tooLong }
      scan = end
      return nil
    }
    let raw = lfIndex - start
    if raw > limit + 1 { throw tooLong }
    guard raw > 0, buffer[lfIndex - 1] == cr else { throw .invalidLineEnding }
    if raw - 1 > limit { throw tooLong }
    let line = start..<(lfIndex - 1)
    start = lfIndex + 1
    scan = start
    return line
  }

  private func withBytes<T>(
    _ range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws(HTTPParseError) -> T
  ) throws(HTTPParseError) -> T {
    let result: Result<T, HTTPParseError> = buffer.withUnsafeBytes { raw in
      let slice = UnsafeRawBufferPointer(rebasing: raw[range])
      do throws(HTTPParseError) { return .success(try body(slice)) } catch { return .failure(error) }
    }
    return try result.get()
  }

  // MARK: Request line

  private mutating func parseRequestLine(_ line: UnsafeRawBufferPointer) throws(HTTPParseError) {
    if line.contains(cr) { throw .invalidLineEnding }
    guard let sp1 = line.firstIndex(of: sp), sp1 > 0,
      let sp2 = line[(sp1 + 1)...].firstIndex(of: sp), sp2 > sp1 + 1
    else { throw .invalidRequestLine }
    let method = UnsafeRawBufferPointer(rebasing: line[0..<sp1])
    let target = UnsafeRawBufferPointer(rebasing: line[(sp1 + 1)..<sp2])
    let version = UnsafeRawBufferPointer(rebasing: line[(sp2 + 1)...])
    guard method.allSatisfy(isTokenByte), target.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
      throw .invalidRequestLine
    }
    head.version = try parseVersion(version)
    guard let m = HTTPMethod.parse(method), m != .connect else { throw .methodNotImplemented }
    head.method = m
    head.target = try parseTarget(target, method: m)
  }

  /// `HTTP/` DIGIT `.` DIGIT (RFC 9112 §2.3).
  private func parseVersion(_ v: UnsafeRawBufferPointer) throws(HTTPParseError) -> HTTPVersion {
    guard v.count == 8, v[0] == 0x48, v[1] == 0x54, v[2] == 0x54, v[3] == 0x50, v[4] == 0x2F,
      isDigit(v[5]), v[6] == 0x2E, isDigit(v[7])
    else { throw .invalidRequestLine }
    guard v[5] == UInt8(ascii: "1") else { throw .versionNotSupported }
    return v[7] == UInt8(ascii: "0") ? .http1_0 : .http1_1
  }

  /// Origin-form, `*` for OPTIONS, or absolute-form reduced to its path (RFC 9112 §3.2.2:
  /// a server must accept absolute-form).
  private func parseTarget(_ t: UnsafeRawBufferPointer, method: HTTPMethod) throws(HTTPParseError) -> String {
    if t[0] == UInt8(ascii: "/") { return String(decoding: t, as: UTF8.self) }
    if t.count == 1 && t[0] == UInt8(ascii: "*") && method == .options { return "*" }
    let text = String(decoding: t, as: UTF8.self)
    for scheme in ["http://", "https://"] where text.utf8.count > scheme.utf8.count {
      guard asciiCaseInsensitiveEquals(String(text.prefix(scheme.count)), scheme) else { continue }
      let rest = text.dropFirst(scheme.count)
      guard let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
      let path = rest[authorityEnd...]
      return path.hasPrefix("/") ? String(path) : "/" + path
    }
    throw .invalidTarget
  }

  // MARK: Header fields

  /// Counted as each line completes, so an endless head is cut off at the limit instead of
  /// being buffered until its blank line.
  private mutating func countField() throws(HTTPParseError) {
    head.fieldCount += 1
    if head.fieldCount > limits.maxHeaderCount { throw .tooManyHeaders }
  }

  private func parseField(_ line: UnsafeRawBufferPointer) throws(HTTPParseError) -> (name: String, value: String) {
    if line.contains(cr) { throw .invalidLineEnding }
    // A line starting with whitespace is obs-fold, which RFC 9112 §5.2 lets a server reject.
    guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0 else { throw .invalidHeader }
    let name = UnsafeRawBufferPointer(rebasing: line[0..<colon])
    guard name.allSatisfy(isTokenByte) else { throw .invalidHeader }
    var lo = colon + 1
    var hi = line.count
    while lo < hi && isWhitespace(line[lo]) { lo += 1 }
    while hi > lo && isWhitespace(line[hi - 1]) { hi -= 1 }
    let value = UnsafeRawBufferPointer(rebasing: line[lo..<hi])
    guard value.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else { throw .invalidHeader }
    return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
  }

  // MARK: Framing

  /// Decides the body's framing once the head is complete (RFC 9112 §6.3); returns an
  /// event when the caller must see one now.
  private mutating func headComplete() throws(HTTPParseError) -> Event? {
    var hosts = 0
    var transferEncodings: [String] = []
    var hasTransferEncoding = false
    var contentLength: Int?
    for (name, value) in head.headers {
      switch name.utf8.count {
      case 4 where asciiCaseInsensitiveEquals(name, "Host"):
        hosts += 1
      case 6 where asciiCaseInsensitiveEquals(name, "Expect"):
        if asciiCaseInsensitiveEquals(value, "100-continue") { head.expectsContinue = true }
      case 14 where asciiCaseInsensitiveEquals(name, "Content-Length"):
        // A list of identical values is one value (RFC 9110 §8.6).
        for part in value.split(separator: ",", omittingEmptySubsequences: false) {
          let n = try parseContentLength(part)
          if let previous = contentLength, previous != n { throw .invalidContentLength }
          contentLength = n
        }
      case 17 where asciiCaseInsensitiveEquals(name, "Transfer-Encoding"):
        hasTransferEncoding = true
        for part in value.split(separator: ",") {
          let coding = part.trimmingWhitespace()
          if !coding.isEmpty { transferEncodings.append(coding) }
        }
      default: break
      }
    }
    if head.version == .http1_1 && hosts != 1 { throw .invalidHost }

    if hasTransferEncoding {
      if contentLength != nil { throw .conflictingFraming }
      // RFC 9112 §6.1: HTTP/1.0 has no transfer codings, so the framing is faulty.
      guard head.version == .http1_1, let last = transferEncodings.last,
        asciiCaseInsensitiveEquals(last, "chunked")
      else { throw .invalidTransferEncoding }
      for coding in transferEncodings.dropLast() {
        if asciiCaseInsensitiveEquals(coding, "chunked") { throw .invalidTransferEncoding }
        throw .unsupportedTransferCoding
      }
      phase = .chunkSize
      return continueIfWaiting()
    }
    if let length = contentLength {
      guard length <= limits.maxBodyBytes else { throw .bodyTooLarge }
      phase = .fixedBody(length: length)
      return length > 0 ? continueIfWaiting() : nil
    }
    if head.method.requiresBodyFraming { throw .lengthRequired }
    phase = .fixedBody(length: 0)
    return nil
  }

  /// 100 Continue only matters while the client is holding the body back.
  private mutating func continueIfWaiting() -> Event? {
    guard head.expectsContinue && head.version == .http1_1 && start == buffer.count else { return nil }
    head.expectsContinue = false
    return .expectContinue
  }

  private func parseContentLength(_ s: Substring) throws(HTTPParseError) -> Int {
    let digits = s.trimmingWhitespace()
    guard !digits.isEmpty else { throw .invalidContentLength }
    var n = 0
    for c in digits.utf8 {
      guard isDigit(c) else { throw .invalidContentLength }
      // Anything beyond the body limit is refused anyway; stop before it can overflow.
      if n > limits.maxBodyBytes { continue }
      n = n * 10 + Int(c - 0x30)
    }
    return n
  }

  /// `chunk-size [ BWS ";" chunk-ext ] CRLF` (RFC 9112 §7.1).
  private func parseChunkSize(_ line: UnsafeRawBufferPointer) throws(HTTPParseError) -> Int {
    var size = 0
    var i = 0
    while i < line.count, let d = hexValue(line[i]) {
      if size > limits.maxBodyBytes { throw .bodyTooLarge }
      size = size << 4 | Int(d)
      i += 1
    }
    guard i > 0 else { throw .invalidChunk }
    while i < line.count && isWhitespace(line[i]) { i += 1 }
    if i < line.count {
      guard line[i] == UInt8(ascii: ";") else { throw .invalidChunk }
      guard line[(i + 1)...].allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else { throw .invalidChunk }
    }
    if size > limits.maxBodyBytes { throw .bodyTooLarge }
    return size
  }

  // MARK: Completion

  private mutating func finish(body: [UInt8]) -> HTTPRequest {
    let h = head
    var close = false
    var keepAlive = false
    for (name, value) in h.headers.fields where name.utf8.count == 10 && asciiCaseInsensitiveEquals(name, "Connection") {
      for token in value.split(separator: ",") {
        let t = token.trimmingWhitespace()
        if asciiCaseInsensitiveEquals(t, "close") { close = true }
        if asciiCaseInsensitiveEquals(t, "keep-alive") { keepAlive = true }
      }
    }
    let persistent = !close && (h.version == .http1_1 || keepAlive)
    head = PartialHead()
    phase = .requestLine
    return HTTPRequest(
      method: h.method, target: h.target, version: h.version, headers: h.headers, body: body, keepAlive: persistent)
  }

  /// Drops consumed bytes once they are at least half the buffer, so a long keep-alive
  /// connection neither grows nor shifts bytes on every request.
  private mutating func compactIfWorthwhile() {
    if start == buffer.count {
      // A buffer that grew for one large body is released rather than kept per connection.
      buffer.removeAll(keepingCapacity: buffer.capacity <= 64 * 1024)
      start = 0
      scan = 0
    } else if start >= 4096 && start * 2 >= buffer.count {
      buffer.removeFirst(start)
      scan -= start
      start = 0
    }
  }
}

private let cr: UInt8 = 0x0D
private let lf: UInt8 = 0x0A
private let sp: UInt8 = 0x20

@inline(__always) private func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
@inline(__always) private func isWhitespace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }

@inline(__always) private func hexValue(_ c: UInt8) -> UInt8? {
  switch c {
  case 0x30...0x39: return c - 0x30
  case 0x41...0x46: return c - 0x37
  case 0x61...0x66: return c - 0x57
  default: return nil
  }
}

/// tchar (RFC 9110 §5.6.2).
@inline(__always) func isTokenByte(_ c: UInt8) -> Bool {
  switch c {
  case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
  case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
    UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
    UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
    return true
  default: return false
  }
}

extension Substring {
  func trimmingWhitespace() -> String {
    var s = self[...]
    while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
    while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
    return String(s)
  }
}

extension String {
  func trimmingWhitespace() -> String { self[...].trimmingWhitespace() }
}
