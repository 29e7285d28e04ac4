import BraidHTTP
import Testing

private func encoded(
  _ r: HTTPResponse, version: HTTPVersion = .http1_1, keepAlive: Bool = true, isHead: Bool = false,
  date: HTTPDate? = nil
) -> String {
  var out: [UInt8] = []
  HTTPResponseEncoder.encode(r, requestVersion: version, keepAlive: keepAlive, isHead: isHead, date: date, into: &out)
  return String(decoding: out, as: UTF8.self)
}

@Test func responseCarriesContentLengthAndHeaders() {
  let r = HTTPResponse(status: .ok, headers: [("Content-Type", "application/json")], body: bytes("{}"))
  #expect(encoded(r) == "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}")
}

@Test func closingResponseSaysConnectionClose() {
  let r = HTTPResponse(status: .notFound)
  #expect(encoded(r, keepAlive: false) == "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
}

@Test func http10KeepAliveIsAnnounced() {
  let r = HTTPResponse(status: .ok, body: bytes("x"))
  #expect(encoded(r, version: .http1_0) == "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: keep-alive\r\n\r\nx")
}

@Test func headResponseKeepsLengthButOmitsBody() {
  let r = HTTPResponse(status: .ok, body: bytes("hello"))
  #expect(encoded(r, isHead: true) == "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")
}

@Test func responsesAppendToTheSameBuffer() {
  var out: [UInt8] = []
  for body in ["a", "bb"] {
    HTTPResponseEncoder.encode(
      HTTPResponse(status: .ok, body: bytes(body)), requestVersion: .http1_1, keepAlive: true, isHead: false, into: &out)
  }
  #expect(String(decoding: out, as: UTF8.self) == "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nbb")
}

@Test func largeContentLengthIsWrittenInDecimal() {
  let r = HTTPResponse(status: .ok, body: [UInt8](repeating: 0x61, count: 1_234_567))
  #expect(encoded(r).hasPrefix("HTTP/1.1 200 OK\r\nContent-Length: 1234567\r\n\r\naaa"))
}

@Test func jsonErrorEscapesItsMessage() {
  let r = HTTPResponse.jsonError(.badRequest, message: "bad \"x\"\\\n")
  #expect(String(decoding: r.body, as: UTF8.self) == #"{"error":{"code":400,"message":"bad \"x\"\\\u000a"}}"#)
  #expect(r.headers.first?.value == "application/json")
}

@Test(arguments: [
  (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
  (784_111_777, "Sun, 06 Nov 1994 08:49:37 GMT"),
  (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"),
  (1_709_251_199, "Thu, 29 Feb 2024 23:59:59 GMT"),
  (4_102_444_800, "Fri, 01 Jan 2100 00:00:00 GMT"),
])
func httpDateIsIMFFixdate(seconds: Int, expected: String) {
  let d = HTTPDate(secondsSinceEpoch: seconds)
  #expect(d.value == expected)
  #expect(encoded(HTTPResponse(status: .noContent), date: d).contains("\r\nDate: \(expected)\r\n"))
}
