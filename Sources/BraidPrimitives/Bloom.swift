/// The 2048-bit logs bloom of receipts and block headers (Yellow Paper §4.4.1, M3:2048).
/// Every log adds its address and each of its topics; each added value sets three bits,
/// chosen by the low 11 bits of the first three big-endian byte pairs of its Keccak-256.
/// The filter is stored inline (no heap) in header byte order, so `bytes` is a plain copy.
public struct Bloom: Equatable, Sendable {
  public static let byteCount = 256

  /// The 256 bytes as in a header: bit index b of the 2048-bit big-endian number lives in
  /// byte 255 - b/8. Kept as words so that union and comparison work eight bytes at a time.
  private var storage: (
    UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
    UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
    UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
    UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64
  ) = (
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
  )

  public static let empty = Bloom()

  public init() {}

  /// From the 256 header bytes.
  public init(bytes: Bytes) {
    precondition(bytes.count == Bloom.byteCount, "bloom must be 256 bytes")
    withUnsafeMutableBytes(of: &storage) { s in
      bytes.withUnsafeBytes { s.copyMemory(from: $0) }
    }
  }

  /// The 256 bytes in header order.
  public var bytes: Bytes {
    withUnsafeBytes(of: storage) { Bytes($0) }
  }

  public var isEmpty: Bool { self == .empty }

  /// Adds a value (a log's address bytes or one of its 32-byte topics).
  public mutating func add(_ value: Bytes) {
    add(hash: Keccak256.hash(value))
  }

  public mutating func add(address: Address) {
    add(address.bytes)
  }

  public mutating func add(topic: Hash32) {
    add(hash: Keccak256.hash(word: topic.word))
  }

  /// Adds a log: its address and every topic.
  public mutating func add(log address: Address, topics: [Hash32]) {
    add(address: address)
    for t in topics { add(topic: t) }
  }

  /// True when all three bits of `value` are set: the log may be present (blooms give
  /// false positives, never false negatives).
  public func contains(_ value: Bytes) -> Bool {
    let top = Keccak256.hash(value).word.w3
    return withUnsafeBytes(of: storage) { s in
      Bloom.isSet(s, top >> 48) && Bloom.isSet(s, top >> 32) && Bloom.isSet(s, top >> 16)
    }
  }

  public mutating func formUnion(_ other: Bloom) {
    withUnsafeMutableBytes(of: &storage) { dst in
      withUnsafeBytes(of: other.storage) { src in
        let d = dst.bindMemory(to: UInt64.self), s = src.bindMemory(to: UInt64.self)
        for i in 0..<32 { d[i] |= s[i] }
      }
    }
  }

  public func union(_ other: Bloom) -> Bloom {
    var r = self
    r.formUnion(other)
    return r
  }

  public static func == (a: Bloom, b: Bloom) -> Bool {
    withUnsafeBytes(of: a.storage) { x in
      withUnsafeBytes(of: b.storage) { y in
        let p = x.bindMemory(to: UInt64.self), q = y.bindMemory(to: UInt64.self)
        var diff: UInt64 = 0
        for i in 0..<32 { diff |= p[i] ^ q[i] }
        return diff == 0
      }
    }
  }

  /// Sets the three bits selected by bytes (0,1), (2,3), (4,5) of the hash. Those are the
  /// hash's most significant bytes, i.e. the top 48 bits of word w3.
  /// Adds a value by its keccak256, for callers that memoize the hash of values that
  /// repeat (a contract's address, an event signature).
  public mutating func add(hash: Hash32) {
    let top = hash.word.w3
    withUnsafeMutableBytes(of: &storage) { s in
      Bloom.set(s, top >> 48)
      Bloom.set(s, top >> 32)
      Bloom.set(s, top >> 16)
    }
  }

  /// Bit index = the low 11 bits of `pair`; bit b of the big-endian 2048-bit number is bit
  /// b % 8 of byte 255 - b / 8.
  @inline(__always)
  private static func set(_ s: UnsafeMutableRawBufferPointer, _ pair: UInt64) {
    let bit = Int(pair & 0x7ff)
    s[255 - (bit >> 3)] |= UInt8(1) << UInt8(bit & 7)
  }

  @inline(__always)
  private static func isSet(_ s: UnsafeRawBufferPointer, _ pair: UInt64) -> Bool {
    let bit = Int(pair & 0x7ff)
    return s[255 - (bit >> 3)] & (UInt8(1) << UInt8(bit & 7)) != 0
  }
}
