/// Serialises responses into a connection's output buffer: status line, the framing
/// headers the server owns (Content-Length, Connection, Date), the handler's headers, the
/// body. Bytes are appended straight to the caller's buffer so a keep-alive connection
/// reuses one allocation for every response it sends.
public enum HTTPResponseEncoder {
  /// Appends one response. `keepAlive` is what the server decided for the connection;
  /// `Connection: close` announces the end, and an HTTP/1.0 client that asked to keep the
  /// connection is told `keep-alive` (RFC 9112 §9.3). A HEAD response carries the
  /// Content-Length of the body it omits (RFC 9110 §9.3.2).
  public static func encode(
    _ response: HTTPResponse, requestVersion: HTTPVersion, keepAlive: Bool, isHead: Bool,
    date: HTTPDate? = nil, into out: inout [UInt8]
  ) {
    out.reserveCapacity(out.count + 128 + response.body.count)
    appendStatusLine(response.status, into: &out)
    out.append(contentsOf: contentLengthPrefix)
    appendDecimal(response.body.count, into: &out)
    out.append(contentsOf: crlfBytes)
    if !keepAlive {
      out.append(contentsOf: connectionClose)
    } else if requestVersion == .http1_0 {
      out.append(contentsOf: connectionKeepAlive)
    }
    if let date { out.append(contentsOf: date.headerLine) }
    for (name, value) in response.headers {
      out.append(contentsOf: name.utf8)
      out.append(contentsOf: colonSpace)
      out.append(contentsOf: value.utf8)
      out.append(contentsOf: crlfBytes)
    }
    out.append(contentsOf: crlfBytes)
    if !isHead { out.append(contentsOf: response.body) }
  }

  /// The interim response to `Expect: 100-continue`.
  public static let continueResponse: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

  private static func appendStatusLine(_ status: HTTPStatus, into out: inout [UInt8]) {
    if status.code == 200 && status.reasonPhrase == "OK" {
      out.append(contentsOf: statusOK)
      return
    }
    out.append(contentsOf: http11Space)
    appendDecimal(status.code, into: &out)
    out.append(sp)
    out.append(contentsOf: status.reasonPhrase.utf8)
    out.append(contentsOf: crlfBytes)
  }

  static func appendDecimal(_ value: Int, into out: inout [UInt8]) {
    precondition(value >= 0)
    if value < 10 {
      out.append(0x30 + UInt8(value))
      return
    }
    var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
      UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
      (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var n = value
    var count = 0
    withUnsafeMutableBytes(of: &digits) { d in
      while n > 0 {
        d[19 - count] = 0x30 + UInt8(n % 10)
        n /= 10
        count += 1
      }
      out.append(contentsOf: d[(20 - count)...])
    }
  }
}

private let sp: UInt8 = 0x20
private let crlfBytes: [UInt8] = [0x0D, 0x0A]
private let colonSpace: [UInt8] = [0x3A, 0x20]
private let http11Space: [UInt8] = Array("HTTP/1.1 ".utf8)
private let statusOK: [UInt8] = Array("HTTP/1.1 200 OK\r\n".utf8)
private let contentLengthPrefix: [UInt8] = Array("Content-Length: ".utf8)
private let connectionClose: [UInt8] = Array("Connection: close\r\n".utf8)
private let connectionKeepAlive: [UInt8] = Array("Connection: keep-alive\r\n".utf8)

/// A `Date:` header line in IMF-fixdate (RFC 9110 §5.6.7). Formatted once per second by
/// each event loop, not once per response.
public struct HTTPDate: Sendable, Equatable {
  public let secondsSinceEpoch: Int
  /// `Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n`
  public let headerLine: [UInt8]

  public init(secondsSinceEpoch: Int) {
    self.secondsSinceEpoch = secondsSinceEpoch
    let days = secondsSinceEpoch >= 0 ? secondsSinceEpoch / 86_400 : (secondsSinceEpoch - 86_399) / 86_400
    let secondOfDay = secondsSinceEpoch - days * 86_400
    let (year, month, day) = Self.civilDate(daysSinceEpoch: days)
    // 1970-01-01 was a Thursday.
    let weekday = ((days % 7) + 7 + 4) % 7
    var s = "Date: "
    s += Self.weekdays[weekday] + ", " + Self.twoDigits(day) + " " + Self.months[month - 1] + " "
    s += String(year) + " " + Self.twoDigits(secondOfDay / 3600) + ":" + Self.twoDigits(secondOfDay / 60 % 60)
    s += ":" + Self.twoDigits(secondOfDay % 60) + " GMT\r\n"
    headerLine = Array(s.utf8)
  }

  /// The value alone, without the field name and CRLF.
  public var value: String { String(decoding: headerLine[6..<(headerLine.count - 2)], as: UTF8.self) }

  private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
  private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

  private static func twoDigits(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

  /// Days since 1970-01-01 to a proleptic Gregorian date, counting in 400-year eras that
  /// start on 1 March so the leap day falls at the end of each year.
  static func civilDate(daysSinceEpoch: Int) -> (year: Int, month: Int, day: Int) {
    let z = daysSinceEpoch + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let mp = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    return (year, month, day)
  }
}
