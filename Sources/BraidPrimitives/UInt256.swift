/// A 256-bit unsigned integer: the EVM's word. Four little-endian 64-bit limbs (w0 least
/// significant) so that every operation is a fixed, branch-light sequence of word ops.
@frozen public struct UInt256: Hashable, Sendable {
  public var w0: UInt64
  public var w1: UInt64
  public var w2: UInt64
  public var w3: UInt64

  @inlinable @inline(__always)
  public init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
    self.w0 = w0
    self.w1 = w1
    self.w2 = w2
    self.w3 = w3
  }

  @inlinable @inline(__always) public init(_ v: UInt64) { self.init(w0: v, w1: 0, w2: 0, w3: 0) }
  @inlinable @inline(__always) public init(_ v: Int) {
    precondition(v >= 0)
    self.init(w0: UInt64(v), w1: 0, w2: 0, w3: 0)
  }

  public static let zero = UInt256(w0: 0, w1: 0, w2: 0, w3: 0)
  public static let one = UInt256(w0: 1, w1: 0, w2: 0, w3: 0)
  public static let max = UInt256(w0: .max, w1: .max, w2: .max, w3: .max)

  @inlinable @inline(__always) public var isZero: Bool { (w0 | w1 | w2 | w3) == 0 }

  /// True when the value fits in 64 bits.
  @inlinable @inline(__always) public var fitsUInt64: Bool { (w1 | w2 | w3) == 0 }

  /// The value as Int when it fits in 63 bits, otherwise nil. Used for offsets and sizes.
  @inlinable @inline(__always) public var asInt: Int? {
    (w1 | w2 | w3) == 0 && w0 <= UInt64(Int.max) ? Int(w0) : nil
  }

  /// Clamps to Int.max: callers compare against limits anyway.
  @inlinable @inline(__always) public var clampedInt: Int {
    (w1 | w2 | w3) == 0 && w0 <= UInt64(Int.max) ? Int(w0) : Int.max
  }

  @inlinable @inline(__always) public subscript(limb i: Int) -> UInt64 {
    get {
      switch i {
      case 0: return w0
      case 1: return w1
      case 2: return w2
      default: return w3
      }
    }
    set {
      switch i {
      case 0: w0 = newValue
      case 1: w1 = newValue
      case 2: w2 = newValue
      default: w3 = newValue
      }
    }
  }

  /// Big-endian bytes, right-aligned: up to 32 bytes, shorter input is left-padded with zeros.
  public init<C: Collection>(bigEndian bytes: C) where C.Element == UInt8 {
    precondition(bytes.count <= 32, "more than 32 bytes")
    var limbs: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    let pad = 32 - bytes.count
    var i = pad
    for b in bytes {
      let limb = 3 - i / 8
      switch limb {
      case 3: limbs.3 = limbs.3 << 8 | UInt64(b)
      case 2: limbs.2 = limbs.2 << 8 | UInt64(b)
      case 1: limbs.1 = limbs.1 << 8 | UInt64(b)
      default: limbs.0 = limbs.0 << 8 | UInt64(b)
      }
      i += 1
    }
    self.init(w0: limbs.0, w1: limbs.1, w2: limbs.2, w3: limbs.3)
  }

  /// Reads 32 big-endian bytes from raw memory.
  @inlinable @inline(__always)
  public init(bigEndianRaw p: UnsafeRawPointer) {
    self.init(
      w0: UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 24, as: UInt64.self)),
      w1: UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
      w2: UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
      w3: UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 0, as: UInt64.self)))
  }

  /// Writes 32 big-endian bytes to raw memory.
  @inlinable @inline(__always)
  public func storeBigEndian(to p: UnsafeMutableRawPointer) {
    p.storeBytes(of: w3.bigEndian, toByteOffset: 0, as: UInt64.self)
    p.storeBytes(of: w2.bigEndian, toByteOffset: 8, as: UInt64.self)
    p.storeBytes(of: w1.bigEndian, toByteOffset: 16, as: UInt64.self)
    p.storeBytes(of: w0.bigEndian, toByteOffset: 24, as: UInt64.self)
  }

  public var bigEndianBytes: Bytes {
    var out = Bytes(repeating: 0, count: 32)
    out.withUnsafeMutableBytes { storeBigEndian(to: $0.baseAddress!) }
    return out
  }

  /// Big-endian bytes without leading zeros (RLP's integer encoding); zero is empty.
  public var minimalBigEndianBytes: Bytes {
    let all = bigEndianBytes
    guard let first = all.firstIndex(where: { $0 != 0 }) else { return [] }
    return Array(all[first...])
  }

  /// Number of significant bits.
  @inlinable public var bitWidth: Int {
    if w3 != 0 { return 256 - w3.leadingZeroBitCount }
    if w2 != 0 { return 192 - w2.leadingZeroBitCount }
    if w1 != 0 { return 128 - w1.leadingZeroBitCount }
    return 64 - w0.leadingZeroBitCount
  }

  /// Number of significant bytes.
  @inlinable public var byteWidth: Int { (bitWidth + 7) / 8 }
}

extension UInt256: Comparable {
  @inlinable @inline(__always)
  public static func < (a: UInt256, b: UInt256) -> Bool {
    if a.w3 != b.w3 { return a.w3 < b.w3 }
    if a.w2 != b.w2 { return a.w2 < b.w2 }
    if a.w1 != b.w1 { return a.w1 < b.w1 }
    return a.w0 < b.w0
  }
}

extension UInt256: ExpressibleByIntegerLiteral {
  @inlinable public init(integerLiteral value: UInt64) { self.init(value) }
}

extension UInt256: CustomStringConvertible {
  /// Hex with 0x prefix and no leading zeros (the JSON-RPC quantity form).
  public var description: String {
    if isZero { return "0x0" }
    let s = Hex.encode(minimalBigEndianBytes, prefix: false)
    return "0x" + (s.hasPrefix("0") ? String(s.dropFirst()) : s)
  }
}

extension UInt256 {
  /// Parses a 0x-hex quantity (any length of digits up to 64) or a decimal string.
  public init(parsing s: String) throws(HexError) {
    if s.hasPrefix("0x") || s.hasPrefix("0X") {
      var digits = s.dropFirst(2)
      while digits.first == "0" { digits = digits.dropFirst() }
      guard digits.count <= 64 else { throw .tooLong(s) }
      let b = try Hex.decode(String(digits), allowOdd: true)
      self.init(bigEndian: b)
    } else {
      var v = UInt256.zero
      guard !s.isEmpty else { throw .invalidCharacter(s) }
      for c in s.utf8 {
        guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") else { throw .invalidCharacter(s) }
        let (m, o1) = v.multipliedReportingOverflow(by: UInt256(10))
        let (a, o2) = m.addingReportingOverflow(UInt256(UInt64(c - UInt8(ascii: "0"))))
        guard !o1 && !o2 else { throw .tooLong(s) }
        v = a
      }
      self = v
    }
  }
}
