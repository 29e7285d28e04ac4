/// Reads what `braid bench rpc` needs from an `eth_getBlockReceipts` answer, each receipt's
/// `transactionHash` and `status`, by scanning the response bytes instead of building a
/// `JSONValue` tree of them. A receipt is about 1.6 KB of JSON (logs, bloom), so a block of
/// 10,000 is 16 MB, and turning all of it into strings, arrays and objects cost the bench
/// more CPU than the server spent writing it, on the same two cores the server runs on.
/// The scan still walks every byte and refuses malformed JSON; it only skips building
/// values the bench never looks at.
import BraidPrimitives

struct ReceiptStatus: Equatable {
  var hash: Hash32
  var success: Bool
}

enum ReceiptScan {
  /// The receipts of a JSON-RPC response whose result is an array of receipts, in order;
  /// nil when the result is null (no such block). A JSON-RPC error is thrown with its message.
  static func statuses(inResponse body: [UInt8]) throws(HTTPClientError) -> [ReceiptStatus]? {
    let result: Result<[ReceiptStatus]?, HTTPClientError> = body.withUnsafeBytes { raw in
      do throws(HTTPClientError) { return .success(try scan(raw)) } catch { return .failure(error) }
    }
    return try result.get()
  }

  private static func scan(_ raw: UnsafeRawBufferPointer) throws(HTTPClientError) -> [ReceiptStatus]? {
      var s = Scanner(bytes: raw)
      var out: [ReceiptStatus]?
      var error: String?
      try s.object { s, key throws(HTTPClientError) in
        if s.equal(key, "result") {
          out = try s.receipts()
        } else if s.equal(key, "error") {
          error = "error object"
          try s.object { s, key throws(HTTPClientError) in
            if s.equal(key, "message"), let m = try s.stringOrSkip() {
              error = String(decoding: UnsafeRawBufferPointer(rebasing: s.bytes[m]), as: UTF8.self)
            } else {
              try s.skipValue()
            }
          }
        } else {
          try s.skipValue()
        }
      }
      s.skipWhitespace()
      guard s.index == raw.count else { throw HTTPClientError("receipts: data after the answer") }
      if let error { throw HTTPClientError("eth_getBlockReceipts: \(error)") }
      return out
  }

  private struct Scanner {
    let bytes: UnsafeRawBufferPointer
    var index = 0

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    func fail(_ what: String) -> HTTPClientError { HTTPClientError("receipts: \(what) at offset \(index)") }

    mutating func skipWhitespace() {
      while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D
        || bytes[index] == 0x09
      {
        index += 1
      }
    }

    mutating func expect(_ c: UInt8) throws(HTTPClientError) {
      skipWhitespace()
      guard index < bytes.count, bytes[index] == c else { throw fail("expected '\(Character(Unicode.Scalar(c)))'") }
      index += 1
    }

    /// Whether the next non-space byte is `c`; consumes it if so.
    mutating func take(_ c: UInt8) -> Bool {
      skipWhitespace()
      guard index < bytes.count, bytes[index] == c else { return false }
      index += 1
      return true
    }

    func equal(_ range: Range<Int>, _ word: StaticString) -> Bool {
      guard range.count == word.utf8CodeUnitCount else { return false }
      for k in 0..<range.count where bytes[range.lowerBound + k] != word.utf8Start[k] { return false }
      return true
    }

    /// A string's raw contents (escapes left as they are: keys and hex never have any).
    mutating func string() throws(HTTPClientError) -> Range<Int> {
      try expect(UInt8(ascii: "\""))
      let start = index
      while index < bytes.count {
        switch bytes[index] {
        case UInt8(ascii: "\""):
          index += 1
          return start..<(index - 1)
        case UInt8(ascii: "\\"): index += 2
        case 0..<0x20: throw fail("control character in string")
        default: index += 1
        }
      }
      throw fail("unterminated string")
    }

    mutating func stringOrSkip() throws(HTTPClientError) -> Range<Int>? {
      skipWhitespace()
      if index < bytes.count, bytes[index] == UInt8(ascii: "\"") { return try string() }
      try skipValue()
      return nil
    }

    /// Calls `member` with each key of an object, positioned at its value, which `member`
    /// must consume.
    mutating func object(
      _ member: (inout Scanner, Range<Int>) throws(HTTPClientError) -> Void
    ) throws(HTTPClientError) {
      try expect(UInt8(ascii: "{"))
      if take(UInt8(ascii: "}")) { return }
      repeat {
        let key = try string()
        try expect(UInt8(ascii: ":"))
        try member(&self, key)
      } while take(UInt8(ascii: ","))
      try expect(UInt8(ascii: "}"))
    }

    mutating func skipValue() throws(HTTPClientError) {
      skipWhitespace()
      guard index < bytes.count else { throw fail("unexpected end") }
      switch bytes[index] {
      case UInt8(ascii: "\""): _ = try string()
      case UInt8(ascii: "{"): try object { s, _ throws(HTTPClientError) in try s.skipValue() }
      case UInt8(ascii: "["):
        index += 1
        if take(UInt8(ascii: "]")) { return }
        repeat { try skipValue() } while take(UInt8(ascii: ","))
        try expect(UInt8(ascii: "]"))
      default:
        // A number or a literal: up to the next delimiter.
        let start = index
        while index < bytes.count {
          let c = bytes[index]
          if c == UInt8(ascii: ",") || c == UInt8(ascii: "}") || c == UInt8(ascii: "]") || c <= 0x20 { break }
          index += 1
        }
        if index == start { throw fail("expected a value") }
      }
    }

    /// `null`, or an array of receipt objects.
    mutating func receipts() throws(HTTPClientError) -> [ReceiptStatus]? {
      skipWhitespace()
      if index + 4 <= bytes.count, bytes[index] == UInt8(ascii: "n") {
        try skipValue()
        return nil
      }
      try expect(UInt8(ascii: "["))
      var out: [ReceiptStatus] = []
      if take(UInt8(ascii: "]")) { return out }
      repeat {
        var hash: Hash32?
        var success: Bool?
        try object { s, key throws(HTTPClientError) in
          if s.equal(key, "transactionHash") {
            let r = try s.string()
            hash = try? Hash32(hex: String(decoding: UnsafeRawBufferPointer(rebasing: s.bytes[r]), as: UTF8.self))
          } else if s.equal(key, "status") {
            let r = try s.string()
            success = s.equal(r, "0x1")
          } else {
            try s.skipValue()
          }
        }
        guard let hash, let success else { throw fail("receipt without transactionHash or status") }
        out.append(ReceiptStatus(hash: hash, success: success))
      } while take(UInt8(ascii: ","))
      try expect(UInt8(ascii: "]"))
      return out
    }
  }
}
