/// Writes JSON straight into a byte buffer, and the two encodings the Ethereum JSON-RPC
/// spec defines: QUANTITY (`0x` + hex without leading zeros, zero is `0x0`) and DATA
/// (`0x` + two hex digits per byte, `0x` when empty).
import BraidPrimitives

public struct JSONWriter: Sendable {
  public var bytes: [UInt8]

  public init(capacity: Int = 256) {
    bytes = []
    bytes.reserveCapacity(capacity)
  }

  public mutating func write(_ value: JSONValue) {
    switch value {
    case .null: bytes.append(contentsOf: nullBytes)
    case .bool(let b): bytes.append(contentsOf: b ? trueBytes : falseBytes)
    case .number(let n): bytes.append(contentsOf: n.utf8)
    case .string(let s): write(string: s)
    case .array(let elements):
      bytes.append(UInt8(ascii: "["))
      for (i, e) in elements.enumerated() {
        if i > 0 { bytes.append(UInt8(ascii: ",")) }
        write(e)
      }
      bytes.append(UInt8(ascii: "]"))
    case .object(let object):
      bytes.append(UInt8(ascii: "{"))
      for (i, m) in object.members.enumerated() {
        if i > 0 { bytes.append(UInt8(ascii: ",")) }
        write(string: m.key)
        bytes.append(UInt8(ascii: ":"))
        write(m.value)
      }
      bytes.append(UInt8(ascii: "}"))
    }
  }

  /// RFC 8259 §7: quote, backslash and control characters are escaped; everything else,
  /// UTF-8 included, is written as is.
  public mutating func write(string: String) {
    bytes.append(UInt8(ascii: "\""))
    var s = string
    s.withUTF8 { utf8 in
      var runStart = 0
      for i in 0..<utf8.count {
        let c = utf8[i]
        guard c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") else { continue }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i]))
        runStart = i + 1
        bytes.append(UInt8(ascii: "\\"))
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(c)
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        default:
          bytes.append(contentsOf: [UInt8(ascii: "u"), 0x30, 0x30, hexDigits[Int(c >> 4)], hexDigits[Int(c & 0xF)]])
        }
      }
      bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
    }
    bytes.append(UInt8(ascii: "\""))
  }

  /// Raw bytes that are already valid JSON.
  public mutating func write(raw: [UInt8]) { bytes.append(contentsOf: raw) }

  public mutating func write(rawASCII: StaticString) {
    bytes.append(contentsOf: UnsafeBufferPointer(start: rawASCII.utf8Start, count: rawASCII.utf8CodeUnitCount))
  }
}

private let nullBytes: [UInt8] = Array("null".utf8)
private let trueBytes: [UInt8] = Array("true".utf8)
private let falseBytes: [UInt8] = Array("false".utf8)
private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

/// QUANTITY encoding.
public enum Quantity {
  public static func hex(_ v: UInt64) -> String {
    if v == 0 { return "0x0" }
    return "0x" + String(v, radix: 16)
  }

  public static func hex(_ v: UInt256) -> String { v.description }

  public static func hex(_ v: Int) -> String { hex(UInt64(v)) }
}

/// DATA encoding.
public enum DataHex {
  public static func hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 { Hex.encode(bytes) }
}

extension JSONValue {
  public static func quantity(_ v: UInt256) -> JSONValue { .string(v.description) }
  public static func quantity(_ v: Int) -> JSONValue { .string(Quantity.hex(v)) }
  public static func data<C: Collection>(_ bytes: C) -> JSONValue where C.Element == UInt8 { .string(Hex.encode(bytes)) }
  public static func address(_ a: Address) -> JSONValue { .string(a.description) }
  public static func address(_ a: Address?) -> JSONValue { a.map { .string($0.description) } ?? .null }
  public static func hash(_ h: Hash32) -> JSONValue { .string(h.description) }
  public static func hash(_ h: Hash32?) -> JSONValue { h.map { .string($0.description) } ?? .null }
}
