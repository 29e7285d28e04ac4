/// Hex encoding and decoding for the 0x-prefixed strings of Ethereum's JSON formats.
public typealias Bytes = [UInt8]

public enum HexError: Error, Equatable, CustomStringConvertible {
  case invalidCharacter(String)
  case oddLength(String)
  case tooLong(String)

  public var description: String {
    switch self {
    case .invalidCharacter(let s): return "invalid hex string '\(s.prefix(80))'"
    case .oddLength(let s): return "odd-length hex string '\(s.prefix(80))'"
    case .tooLong(let s): return "hex value too long '\(s.prefix(80))'"
    }
  }
}

@inline(__always) func hexNibble(_ c: UInt8) -> UInt8? {
  switch c {
  case UInt8(ascii: "0")...UInt8(ascii: "9"): return c &- UInt8(ascii: "0")
  case UInt8(ascii: "a")...UInt8(ascii: "f"): return c &- UInt8(ascii: "a") &+ 10
  case UInt8(ascii: "A")...UInt8(ascii: "F"): return c &- UInt8(ascii: "A") &+ 10
  default: return nil
  }
}

private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

public enum Hex {
  /// Decodes an optionally 0x-prefixed hex string. An odd number of digits is allowed only
  /// when `allowOdd` is set (quantities like `0x1` in test fixtures), in which case a
  /// leading zero nibble is implied.
  public static func decode(_ string: String, allowOdd: Bool = false) throws(HexError) -> Bytes {
    var utf8 = Array(string.utf8)
    if utf8.count >= 2 && utf8[0] == UInt8(ascii: "0") && (utf8[1] == UInt8(ascii: "x") || utf8[1] == UInt8(ascii: "X")) {
      utf8.removeFirst(2)
    }
    if utf8.count % 2 == 1 {
      guard allowOdd else { throw .oddLength(string) }
      utf8.insert(UInt8(ascii: "0"), at: 0)
    }
    var out = Bytes()
    out.reserveCapacity(utf8.count / 2)
    var i = 0
    while i < utf8.count {
      guard let hi = hexNibble(utf8[i]), let lo = hexNibble(utf8[i + 1]) else { throw .invalidCharacter(string) }
      out.append(hi << 4 | lo)
      i += 2
    }
    return out
  }

  /// Lower-case hex with a 0x prefix.
  public static func encode<C: Collection>(_ bytes: C, prefix: Bool = true) -> String where C.Element == UInt8 {
    var out = [UInt8]()
    out.reserveCapacity(bytes.count * 2 + 2)
    if prefix { out.append(UInt8(ascii: "0")); out.append(UInt8(ascii: "x")) }
    for b in bytes {
      out.append(hexDigits[Int(b >> 4)])
      out.append(hexDigits[Int(b & 0xf)])
    }
    return String(decoding: out, as: UTF8.self)
  }
}
