/// Why the decoder refused a request, and the status the server answers with before it
/// closes the connection: after malformed framing nothing that follows can be trusted
/// (RFC 9112 §11.2, request smuggling), so every parse error is fatal to the connection.
public enum HTTPParseError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The request line is not `method SP request-target SP HTTP-version CRLF`.
  case invalidRequestLine
  /// The request-target is not origin-form (or `*` for OPTIONS).
  case invalidTarget
  /// A header line is not `field-name ":" OWS field-value OWS`, or holds a control byte.
  case invalidHeader
  /// A line ended in a bare LF or a bare CR.
  case invalidLineEnding
  /// An HTTP/1.1 request without exactly one Host (RFC 9112 §3.2).
  case invalidHost
  /// Content-Length is not digits, or several disagree (RFC 9112 §6.3).
  case invalidContentLength
  /// Both Transfer-Encoding and Content-Length (RFC 9112 §6.1; rejected, not guessed).
  case conflictingFraming
  /// Transfer-Encoding whose final coding is not chunked, or on an HTTP/1.0 request.
  case invalidTransferEncoding
  /// A chunk-size line or the CRLF after chunk data is malformed.
  case invalidChunk
  /// A transfer coding other than chunked (RFC 9112 §6.1: 501).
  case unsupportedTransferCoding
  /// A POST, PUT or PATCH with neither Content-Length nor Transfer-Encoding.
  case lengthRequired
  case bodyTooLarge
  case requestLineTooLong
  case headerLineTooLong
  case tooManyHeaders
  /// A well-formed method token this server does not implement.
  case methodNotImplemented
  /// An HTTP major version other than 1.
  case versionNotSupported

  public var status: HTTPStatus {
    switch self {
    case .invalidRequestLine, .invalidTarget, .invalidHeader, .invalidLineEnding, .invalidHost,
      .invalidContentLength, .conflictingFraming, .invalidTransferEncoding, .invalidChunk:
      return .badRequest
    case .lengthRequired: return .lengthRequired
    case .bodyTooLarge: return .contentTooLarge
    case .requestLineTooLong: return .uriTooLong
    case .headerLineTooLong, .tooManyHeaders: return .headerFieldsTooLarge
    case .unsupportedTransferCoding, .methodNotImplemented: return .notImplemented
    case .versionNotSupported: return .versionNotSupported
    }
  }

  /// The short reason sent in the error body.
  public var description: String {
    switch self {
    case .invalidRequestLine: return "malformed request line"
    case .invalidTarget: return "malformed request target"
    case .invalidHeader: return "malformed header field"
    case .invalidLineEnding: return "lines must end in CRLF"
    case .invalidHost: return "HTTP/1.1 requires exactly one Host header"
    case .invalidContentLength: return "invalid Content-Length"
    case .conflictingFraming: return "both Transfer-Encoding and Content-Length"
    case .invalidTransferEncoding: return "invalid Transfer-Encoding"
    case .invalidChunk: return "malformed chunked body"
    case .unsupportedTransferCoding: return "only the chunked transfer coding is supported"
    case .lengthRequired: return "Content-Length or chunked Transfer-Encoding required"
    case .bodyTooLarge: return "request body too large"
    case .requestLineTooLong: return "request line too long"
    case .headerLineTooLong: return "header line too long"
    case .tooManyHeaders: return "too many header fields"
    case .methodNotImplemented: return "method not implemented"
    case .versionNotSupported: return "only HTTP/1.0 and HTTP/1.1 are supported"
    }
  }
}

/// The decoder's limits. The defaults follow nginx (`large_client_header_buffers 4 8k`)
/// and geth (a 5 MiB request body).
public struct HTTPLimits: Sendable, Hashable {
  /// Bytes in the request line or in one header or trailer line, CRLF excluded.
  public var maxLineBytes: Int
  /// Header fields plus trailer fields.
  public var maxHeaderCount: Int
  /// Body bytes after removing chunked framing.
  public var maxBodyBytes: Int

  public init(maxLineBytes: Int = 8 * 1024, maxHeaderCount: Int = 100, maxBodyBytes: Int = 5 * 1024 * 1024) {
    self.maxLineBytes = maxLineBytes
    self.maxHeaderCount = maxHeaderCount
    self.maxBodyBytes = maxBodyBytes
  }
}
