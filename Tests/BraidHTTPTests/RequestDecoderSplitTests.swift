import BraidHTTP
import Testing

/// Valid requests decode to the same requests however the bytes are split.
struct ValidCase: Sendable, CustomTestStringConvertible {
  let name: String
  let input: String
  let expected: [Decoded]
  var limits = HTTPLimits()
  var testDescription: String { name }
}

// Kept outside the @Test so the expected values read next to their inputs.
private let small = HTTPLimits(maxLineBytes: 40, maxHeaderCount: 3, maxBodyBytes: 16)

let validCases: [ValidCase] = [
  ValidCase(
    name: "GET with Host",
    input: "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n",
    expected: [
      .request(
        method: "GET", target: "/healthz", version: "HTTP/1.1", headers: ["Host: localhost"], body: [],
        keepAlive: true)
    ]),
  ValidCase(
    name: "POST with Content-Length",
    input: "POST / HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\nhello",
    expected: [
      .request(
        method: "POST", target: "/", version: "HTTP/1.1",
        headers: ["Host: a", "Content-Type: application/json", "Content-Length: 5"], body: bytes("hello"),
        keepAlive: true)
    ]),
  ValidCase(
    name: "chunked body with extension and trailer",
    input:
      "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;name=v\r\nabc\r\nA \r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n",
    expected: [
      .request(
        method: "POST", target: "/x", version: "HTTP/1.1", headers: ["Host: a", "Transfer-Encoding: chunked"],
        body: bytes("abc0123456789"), keepAlive: true)
    ]),
  ValidCase(
    name: "three pipelined requests",
    input:
      "GET /a HTTP/1.1\r\nHost: a\r\n\r\nPOST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhiGET /c HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    expected: [
      .request(method: "GET", target: "/a", version: "HTTP/1.1", headers: ["Host: a"], body: [], keepAlive: true),
      .request(
        method: "POST", target: "/b", version: "HTTP/1.1", headers: ["Host: a", "Content-Length: 2"],
        body: bytes("hi"), keepAlive: true),
      .request(
        method: "GET", target: "/c", version: "HTTP/1.1", headers: ["Host: a", "Connection: close"], body: [],
        keepAlive: false),
    ]),
  ValidCase(
    name: "HTTP/1.0 closes by default and needs no Host",
    input: "GET / HTTP/1.0\r\n\r\n",
    expected: [.request(method: "GET", target: "/", version: "HTTP/1.0", headers: [], body: [], keepAlive: false)]),
  ValidCase(
    name: "HTTP/1.0 keep-alive",
    input: "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
    expected: [
      .request(
        method: "GET", target: "/", version: "HTTP/1.0", headers: ["Connection: Keep-Alive"], body: [],
        keepAlive: true)
    ]),
  ValidCase(
    name: "Connection: close among other tokens",
    input: "GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade, CLOSE\r\n\r\n",
    expected: [
      .request(
        method: "GET", target: "/", version: "HTTP/1.1", headers: ["Host: a", "Connection: upgrade, CLOSE"],
        body: [], keepAlive: false)
    ]),
  ValidCase(
    name: "HTTP/1.2 is read as HTTP/1.1",
    input: "GET / HTTP/1.2\r\nHost: a\r\n\r\n",
    expected: [.request(method: "GET", target: "/", version: "HTTP/1.1", headers: ["Host: a"], body: [], keepAlive: true)]),
  ValidCase(
    name: "absolute-form target becomes its path",
    input: "GET http://example.com:8545/v1/blocks/latest?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n",
    expected: [
      .request(
        method: "GET", target: "/v1/blocks/latest?x=1", version: "HTTP/1.1", headers: ["Host: example.com"], body: [],
        keepAlive: true)
    ]),
  ValidCase(
    name: "empty lines before the request line are skipped",
    input: "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
    expected: [.request(method: "GET", target: "/", version: "HTTP/1.1", headers: ["Host: a"], body: [], keepAlive: true)]),
  ValidCase(
    name: "OPTIONS *",
    input: "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
    expected: [.request(method: "OPTIONS", target: "*", version: "HTTP/1.1", headers: ["Host: a"], body: [], keepAlive: true)]),
  ValidCase(
    name: "whitespace around values is trimmed, empty values kept",
    input: "GET / HTTP/1.1\r\nHost:a\r\nX-Empty:\r\nX-Padded: \t v \t\r\n\r\n",
    expected: [
      .request(
        method: "GET", target: "/", version: "HTTP/1.1", headers: ["Host: a", "X-Empty: ", "X-Padded: v"], body: [],
        keepAlive: true)
    ]),
  ValidCase(
    name: "Expect: 100-continue with a body",
    input: "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
    expected: [
      .request(
        method: "POST", target: "/", version: "HTTP/1.1",
        headers: ["Host: a", "Expect: 100-continue", "Content-Length: 3"], body: bytes("abc"), keepAlive: true)
    ]),
  ValidCase(
    name: "identical Content-Length values are one value",
    input: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok",
    expected: [
      .request(
        method: "POST", target: "/", version: "HTTP/1.1",
        headers: ["Host: a", "Content-Length: 2, 2", "Content-Length: 2"], body: bytes("ok"), keepAlive: true)
    ]),
  ValidCase(
    name: "POST with Content-Length 0",
    input: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
    expected: [
      .request(
        method: "POST", target: "/", version: "HTTP/1.1", headers: ["Host: a", "Content-Length: 0"], body: [],
        keepAlive: true)
    ]),
  ValidCase(
    name: "lines, header count and body exactly at the limits",
    input: "POST /" + String(repeating: "a", count: 24) + " HTTP/1.1\r\nHost: a\r\nContent-Length: 16\r\nX: "
      + String(repeating: "b", count: 37) + "\r\n\r\n" + String(repeating: "c", count: 16),
    expected: [
      .request(
        method: "POST", target: "/" + String(repeating: "a", count: 24), version: "HTTP/1.1",
        headers: ["Host: a", "Content-Length: 16", "X: " + String(repeating: "b", count: 37)],
        body: bytes(String(repeating: "c", count: 16)), keepAlive: true)
    ],
    limits: small),
  ValidCase(
    name: "chunked body exactly at the limit",
    input: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n" + String(repeating: "d", count: 16) + "\r\n0\r\n\r\n",
    expected: [
      .request(
        method: "POST", target: "/", version: "HTTP/1.1", headers: ["Host: a", "Transfer-Encoding: chunked"],
        body: bytes(String(repeating: "d", count: 16)), keepAlive: true)
    ],
    limits: small),
]

@Test(arguments: validCases)
func validRequestDecodesTheSameAtEverySplit(_ c: ValidCase) {
  let input = bytes(c.input)
  for (label, chunks) in everySplit(input) {
    let (results, _) = decode(chunks, limits: c.limits)
    #expect(results == c.expected, "\(c.name), \(label)")
  }
}

@Test func continueIsOfferedOnlyWhileTheBodyIsHeldBack() {
  let head = bytes("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n")
  #expect(decode([head[...], bytes("abc")[...]]).continues == 1)
  #expect(decode([(head + bytes("abc"))[...]]).continues == 0)
  // HTTP/1.0 has no 100 Continue (RFC 9110 §10.1.1).
  let old = bytes("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n")
  #expect(decode([old[...], bytes("abc")[...]]).continues == 0)
}

@Test func decoderReportsWhetherARequestIsUnderway() {
  var decoder = HTTPRequestDecoder()
  #expect(!decoder.isMidRequest)
  decoder.append(bytes("POST / HTTP/1.1\r\nHost: a\r\n"))
  _ = decoder.next()
  #expect(decoder.isMidRequest && !decoder.isReadingBody)
  decoder.append(bytes("Content-Length: 4\r\n\r\nab"))
  _ = decoder.next()
  #expect(decoder.isReadingBody)
  decoder.append(bytes("cd"))
  guard case .request(let r) = decoder.next() else {
    Issue.record("expected a request")
    return
  }
  #expect(r.body == bytes("abcd"))
  #expect(!decoder.isMidRequest)
  #expect(r.path == "/")
}
