import BraidHTTP
import Testing

/// Malformed requests fail with the same error, and so the same status, at every split.
struct InvalidCase: Sendable, CustomTestStringConvertible {
  let input: String
  let error: HTTPParseError
  let status: Int
  var limits = HTTPLimits()
  /// Requests decoded before the error (a good request pipelined ahead of a bad one).
  var before = 0
  var testDescription: String { "\(status) \(error)" }
}

private let small = HTTPLimits(maxLineBytes: 40, maxHeaderCount: 3, maxBodyBytes: 16)

let invalidCases: [InvalidCase] = [
  InvalidCase(input: "GET / HTTP/1.1\nHost: a\n\n", error: .invalidLineEnding, status: 400),
  InvalidCase(input: "GET / HTTP/1.1\r\nHost: a\nX: y\r\n\r\n", error: .invalidLineEnding, status: 400),
  InvalidCase(input: "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", error: .invalidLineEnding, status: 400),
  InvalidCase(input: "GET /\r\n\r\n", error: .invalidRequestLine, status: 400),
  InvalidCase(input: "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", error: .invalidRequestLine, status: 400),
  InvalidCase(input: "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", error: .invalidRequestLine, status: 400),
  InvalidCase(input: "GET / HTTP/11\r\nHost: a\r\n\r\n", error: .invalidRequestLine, status: 400),
  InvalidCase(input: "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", error: .invalidRequestLine, status: 400),
  InvalidCase(input: "GET /a\u{7F}b HTTP/1.1\r\nHost: a\r\n\r\n", error: .invalidRequestLine, status: 400),
  InvalidCase(input: "GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", error: .invalidTarget, status: 400),
  InvalidCase(input: "GET * HTTP/1.1\r\nHost: a\r\n\r\n", error: .invalidTarget, status: 400),
  InvalidCase(input: "BREW / HTTP/1.1\r\nHost: a\r\n\r\n", error: .methodNotImplemented, status: 501),
  InvalidCase(input: "get / HTTP/1.1\r\nHost: a\r\n\r\n", error: .methodNotImplemented, status: 501),
  InvalidCase(input: "CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n", error: .methodNotImplemented, status: 501),
  InvalidCase(input: "GET / HTTP/2.0\r\nHost: a\r\n\r\n", error: .versionNotSupported, status: 505),
  InvalidCase(input: "GET / HTTP/1.1\r\n\r\n", error: .invalidHost, status: 400),
  InvalidCase(input: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", error: .invalidHost, status: 400),
  InvalidCase(input: "GET / HTTP/1.1\r\nHost : a\r\n\r\n", error: .invalidHeader, status: 400),
  InvalidCase(input: "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", error: .invalidHeader, status: 400),
  InvalidCase(input: "GET / HTTP/1.1\r\n: a\r\n\r\n", error: .invalidHeader, status: 400),
  InvalidCase(input: "GET / HTTP/1.1\r\nNoColon\r\n\r\n", error: .invalidHeader, status: 400),
  InvalidCase(input: "GET / HTTP/1.1\r\nHost: a\u{01}b\r\n\r\n", error: .invalidHeader, status: 400),
  InvalidCase(
    input: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
    error: .conflictingFraming, status: 400),
  InvalidCase(input: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3x\r\n\r\n", error: .invalidContentLength, status: 400),
  InvalidCase(input: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", error: .invalidContentLength, status: 400),
  InvalidCase(input: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", error: .invalidContentLength, status: 400),
  InvalidCase(
    input: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
    error: .invalidContentLength, status: 400),
  InvalidCase(input: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", error: .invalidTransferEncoding, status: 400),
  InvalidCase(
    input: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
    error: .invalidTransferEncoding, status: 400),
  InvalidCase(
    input: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", error: .invalidTransferEncoding, status: 400),
  InvalidCase(
    input: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
    error: .unsupportedTransferCoding, status: 501),
  InvalidCase(input: "POST / HTTP/1.1\r\nHost: a\r\n\r\n", error: .lengthRequired, status: 411),
  InvalidCase(input: "PUT /x HTTP/1.1\r\nHost: a\r\n\r\n", error: .lengthRequired, status: 411),
  InvalidCase(
    input: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", error: .invalidChunk, status: 400),
  InvalidCase(
    input: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3 x\r\nabc\r\n0\r\n\r\n",
    error: .invalidChunk, status: 400),
  InvalidCase(
    input: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n",
    error: .invalidChunk, status: 400),
  InvalidCase(
    input: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\rX0\r\n\r\n",
    error: .invalidChunk, status: 400),
  InvalidCase(
    input: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nBad Trailer\r\n\r\n",
    error: .invalidHeader, status: 400),
  InvalidCase(
    input: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n",
    error: .bodyTooLarge, status: 413),
  InvalidCase(
    input: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 17\r\n\r\n", error: .bodyTooLarge, status: 413, limits: small),
  InvalidCase(
    input: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n11\r\n",
    error: .bodyTooLarge, status: 413, limits: small),
  InvalidCase(
    input: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n9\r\n",
    error: .bodyTooLarge, status: 413, limits: small),
  InvalidCase(
    input: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFFFFFF\r\n",
    error: .bodyTooLarge, status: 413),
  InvalidCase(
    input: "GET /" + String(repeating: "a", count: 27) + " HTTP/1.1\r\nHost: a\r\n\r\n",
    error: .requestLineTooLong, status: 414, limits: small),
  InvalidCase(
    input: "GET /" + String(repeating: "a", count: 100) + "\n", error: .requestLineTooLong, status: 414, limits: small),
  InvalidCase(
    input: "GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "b", count: 38) + "\r\n\r\n",
    error: .headerLineTooLong, status: 431, limits: small),
  InvalidCase(
    input: "GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "b", count: 38) + "\n\r\n",
    error: .invalidLineEnding, status: 400, limits: small),
  InvalidCase(
    input: "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", error: .tooManyHeaders, status: 431,
    limits: small),
  InvalidCase(
    input: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT1: a\r\nT2: b\r\n\r\n",
    error: .tooManyHeaders, status: 431, limits: small),
  InvalidCase(
    input: "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/9.9\r\nHost: a\r\n\r\n", error: .versionNotSupported,
    status: 505, before: 1),
]

@Test(arguments: invalidCases)
func malformedRequestFailsTheSameAtEverySplit(_ c: InvalidCase) {
  #expect(c.error.status.code == c.status)
  let input = bytes(c.input)
  for (label, chunks) in everySplit(input) {
    let (results, _) = decode(chunks, limits: c.limits)
    #expect(results.count == c.before + 1, "\(c.input.debugDescription), \(label): \(results)")
    #expect(results.last == .error(c.error), "\(c.input.debugDescription), \(label): \(results)")
  }
}

@Test func aFailedDecoderStaysFailed() {
  var decoder = HTTPRequestDecoder()
  decoder.append(bytes("BREW / HTTP/1.1\r\n"))
  guard case .error(.methodNotImplemented) = decoder.next() else {
    Issue.record("expected 501")
    return
  }
  decoder.append(bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
  guard case .error(.methodNotImplemented) = decoder.next() else {
    Issue.record("the error should persist")
    return
  }
}

@Test func everyParseErrorHasAShortReasonAndAnErrorStatus() {
  let all: [HTTPParseError] = [
    .invalidRequestLine, .invalidTarget, .invalidHeader, .invalidLineEnding, .invalidHost, .invalidContentLength,
    .conflictingFraming, .invalidTransferEncoding, .invalidChunk, .unsupportedTransferCoding, .lengthRequired,
    .bodyTooLarge, .requestLineTooLong, .headerLineTooLong, .tooManyHeaders, .methodNotImplemented,
    .versionNotSupported,
  ]
  for e in all {
    #expect(!e.description.isEmpty && e.description.count < 60)
    #expect([400, 411, 413, 414, 431, 501, 505].contains(e.status.code))
  }
}
