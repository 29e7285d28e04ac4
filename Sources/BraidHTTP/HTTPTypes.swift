/// BraidHTTP: a small hand-written HTTP/1.1 server on POSIX sockets.
///
/// Two layers. The codec (`HTTPRequestDecoder`, `HTTPResponseEncoder`,
/// `HTTPConnectionStateMachine`) performs no I/O: it turns bytes into requests and
/// responses into bytes under explicit limits, so every rule of RFC 9112 it enforces is
/// tested by feeding bytes. The server (`HTTPServer`, `EventLoop`) owns sockets: epoll
/// event loops on non-blocking sockets, one per thread, which drive the state machine.
///
/// This file: the value types both layers share.
#if canImport(Glibc)
  import Glibc
#endif

/// The request methods the decoder accepts. A syntactically valid method outside this set
/// gets 501 (RFC 9110 §9.1: an origin server that does not recognise a method responds 501).
public enum HTTPMethod: String, Sendable, Hashable, CaseIterable {
  case get = "GET"
  case head = "HEAD"
  case post = "POST"
  case put = "PUT"
  case delete = "DELETE"
  case options = "OPTIONS"
  case patch = "PATCH"
  case trace = "TRACE"
  case connect = "CONNECT"

  /// Methods whose requests carry a body, so a request without framing gets 411
  /// (RFC 9110 §15.5.12).
  var requiresBodyFraming: Bool { self == .post || self == .put || self == .patch }

  /// Matches the method token without creating a String.
  static func parse(_ token: UnsafeRawBufferPointer) -> HTTPMethod? {
    func equals(_ literal: StaticString) -> Bool {
      guard literal.utf8CodeUnitCount == token.count else { return false }
      return memcmp(literal.utf8Start, token.baseAddress!, token.count) == 0
    }
    switch token.count {
    case 3: return equals("GET") ? .get : equals("PUT") ? .put : nil
    case 4: return equals("POST") ? .post : equals("HEAD") ? .head : nil
    case 5: return equals("PATCH") ? .patch : equals("TRACE") ? .trace : nil
    case 6: return equals("DELETE") ? .delete : nil
    case 7: return equals("OPTIONS") ? .options : equals("CONNECT") ? .connect : nil
    default: return nil
    }
  }
}

/// HTTP/1.0 or HTTP/1.1. Other 1.x minors are read as 1.1 (RFC 9110 §2.5: a recipient
/// of a higher minor version processes it as the highest minor it supports).
public enum HTTPVersion: Sendable, Hashable {
  case http1_0
  case http1_1

  public var text: String { self == .http1_0 ? "HTTP/1.0" : "HTTP/1.1" }
}

/// A status code and its reason phrase.
public struct HTTPStatus: Sendable, Hashable, CustomStringConvertible {
  public var code: Int
  public var reasonPhrase: String

  public init(code: Int, reasonPhrase: String) {
    self.code = code
    self.reasonPhrase = reasonPhrase
  }

  public var description: String { "\(code) \(reasonPhrase)" }

  public static let `continue` = HTTPStatus(code: 100, reasonPhrase: "Continue")
  public static let ok = HTTPStatus(code: 200, reasonPhrase: "OK")
  public static let noContent = HTTPStatus(code: 204, reasonPhrase: "No Content")
  public static let badRequest = HTTPStatus(code: 400, reasonPhrase: "Bad Request")
  public static let notFound = HTTPStatus(code: 404, reasonPhrase: "Not Found")
  public static let methodNotAllowed = HTTPStatus(code: 405, reasonPhrase: "Method Not Allowed")
  public static let requestTimeout = HTTPStatus(code: 408, reasonPhrase: "Request Timeout")
  public static let lengthRequired = HTTPStatus(code: 411, reasonPhrase: "Length Required")
  public static let contentTooLarge = HTTPStatus(code: 413, reasonPhrase: "Content Too Large")
  public static let uriTooLong = HTTPStatus(code: 414, reasonPhrase: "URI Too Long")
  public static let unsupportedMediaType = HTTPStatus(code: 415, reasonPhrase: "Unsupported Media Type")
  public static let headerFieldsTooLarge = HTTPStatus(code: 431, reasonPhrase: "Request Header Fields Too Large")
  public static let internalServerError = HTTPStatus(code: 500, reasonPhrase: "Internal Server Error")
  public static let notImplemented = HTTPStatus(code: 501, reasonPhrase: "Not Implemented")
  public static let serviceUnavailable = HTTPStatus(code: 503, reasonPhrase: "Service Unavailable")
  public static let versionNotSupported = HTTPStatus(code: 505, reasonPhrase: "HTTP Version Not Supported")
}

/// Header fields in arrival order. Names compare case-insensitively (RFC 9110 §5.1);
/// a request rarely has more than a handful, so a linear scan beats hashing.
public struct HTTPHeaders: Sendable, Sequence {
  public private(set) var fields: [(name: String, value: String)]

  public init(_ fields: [(name: String, value: String)] = []) { self.fields = fields }

  public var count: Int { fields.count }

  public mutating func add(name: String, value: String) { fields.append((name, value)) }

  /// The first value of `name`, or nil.
  public subscript(name: String) -> String? {
    for f in fields where asciiCaseInsensitiveEquals(f.name, name) { return f.value }
    return nil
  }

  /// Every value of `name`, in order.
  public func values(for name: String) -> [String] {
    fields.filter { asciiCaseInsensitiveEquals($0.name, name) }.map(\.value)
  }

  public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }
}

/// Byte-wise ASCII case folding: header names and tokens are ASCII by grammar, and this
/// avoids allocating lower-cased copies on the hot path.
func asciiCaseInsensitiveEquals(_ a: String, _ b: String) -> Bool {
  var a = a, b = b
  return a.withUTF8 { x in
    b.withUTF8 { y in
      guard x.count == y.count else { return false }
      for i in 0..<x.count {
        let p = x[i], q = y[i]
        if p != q && !(isASCIILetter(p) && p | 0x20 == q | 0x20) { return false }
      }
      return true
    }
  }
}

@inline(__always) func isASCIILetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }

/// A decoded request: the head, the whole body (bounded by `HTTPLimits.maxBodyBytes`)
/// and whether the connection may carry another request after this one.
public struct HTTPRequest: Sendable {
  public var method: HTTPMethod
  /// The request-target as sent: origin-form (`/path?query`) or `*` for OPTIONS.
  public var target: String
  public var version: HTTPVersion
  public var headers: HTTPHeaders
  public var body: [UInt8]
  /// RFC 9112 §9.3: HTTP/1.1 persists unless `Connection: close`; HTTP/1.0 only with
  /// `Connection: keep-alive`.
  public var keepAlive: Bool

  public init(
    method: HTTPMethod, target: String, version: HTTPVersion = .http1_1, headers: HTTPHeaders = HTTPHeaders(),
    body: [UInt8] = [], keepAlive: Bool = true
  ) {
    self.method = method
    self.target = target
    self.version = version
    self.headers = headers
    self.body = body
    self.keepAlive = keepAlive
  }

  /// The target without its query.
  public var path: Substring {
    if let q = target.utf8.firstIndex(of: UInt8(ascii: "?")) { return target[..<q] }
    return target[...]
  }
}

/// A response to encode. Content-Length, Connection and Date are written by the encoder;
/// `headers` carries the rest (Content-Type, Allow, ...).
public struct HTTPResponse: Sendable {
  public var status: HTTPStatus
  public var headers: [(name: String, value: String)]
  public var body: [UInt8]

  public init(status: HTTPStatus, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
    self.status = status
    self.headers = headers
    self.body = body
  }

  /// A JSON error body, `{"error":{"code":404,"message":"not found"}}`: every error the
  /// server itself produces has this shape, so clients parse one format.
  public static func jsonError(_ status: HTTPStatus, message: String, headers: [(name: String, value: String)] = [])
    -> HTTPResponse
  {
    var body = Array("{\"error\":{\"code\":\(status.code),\"message\":\"".utf8)
    for c in message.utf8 {
      switch c {
      case UInt8(ascii: "\""): body += [0x5C, 0x22]
      case UInt8(ascii: "\\"): body += [0x5C, 0x5C]
      case 0..<0x20: body += Array("\\u00".utf8) + [hexDigit(c >> 4), hexDigit(c & 0xF)]
      default: body.append(c)
      }
    }
    body += Array("\"}}".utf8)
    return HTTPResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: body)
  }
}

@inline(__always) func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 + v : 0x57 + v }
