/// An appending RLP encoder for hot paths (receipts, trie nodes, account leaves): values go
/// straight into one growing buffer instead of through an `RLPItem` tree, and a list's
/// length prefix is patched in once its payload is known.
public struct RLPWriter: Sendable {
  public var bytes: Bytes

  public init(capacity: Int = 0) {
    bytes = []
    bytes.reserveCapacity(capacity)
  }

  // MARK: byte strings

  /// A byte string: itself when it is one byte below 0x80, otherwise a length prefix
  /// (short form under 56 bytes, long form above) and the bytes.
  public mutating func append(bytes b: UnsafeRawBufferPointer) {
    if b.count == 1 && b[0] < 0x80 {
      bytes.append(b[0])
      return
    }
    appendHeader(short: 0x80, long: 0xb7, length: b.count)
    bytes.append(contentsOf: b)
  }

  public mutating func append(bytes b: Bytes) {
    b.withUnsafeBytes { append(bytes: $0) }
  }

  public mutating func append(bytes b: ArraySlice<UInt8>) {
    b.withUnsafeBytes { append(bytes: $0) }
  }

  // MARK: scalars

  /// An integer as its minimal big-endian bytes: 0 is the empty string 0x80.
  public mutating func append(uint v: UInt64) {
    if v < 0x80 {
      bytes.append(v == 0 ? 0x80 : UInt8(v))
      return
    }
    let n = (64 - v.leadingZeroBitCount + 7) / 8
    bytes.append(0x80 + UInt8(n))
    appendBigEndian(v, byteCount: n)
  }

  public mutating func append(uint256 v: UInt256) {
    if v.fitsUInt64 {
      append(uint: v.w0)
      return
    }
    let n = v.byteWidth
    bytes.append(0x80 + UInt8(n))
    // Store all 32 bytes then drop the leading zeros in place: no temporary array.
    let start = bytes.count
    bytes.append(contentsOf: repeatElement(0, count: 32))
    bytes.withUnsafeMutableBytes { v.storeBigEndian(to: $0.baseAddress! + start) }
    bytes.removeSubrange(start..<start + 32 - n)
  }

  public mutating func append(address a: Address) {
    bytes.append(0x80 + 20)
    appendBigEndian(a.hi, byteCount: 8)
    appendBigEndian(a.mid, byteCount: 8)
    appendBigEndian(UInt64(a.lo), byteCount: 4)
  }

  public mutating func append(hash h: Hash32) {
    bytes.append(0x80 + 32)
    let start = bytes.count
    bytes.append(contentsOf: repeatElement(0, count: 32))
    bytes.withUnsafeMutableBytes { h.word.storeBigEndian(to: $0.baseAddress! + start) }
  }

  public mutating func append(bool b: Bool) {
    append(uint: b ? 1 : 0)
  }

  // MARK: composites

  /// Bytes that are already a complete RLP item (a stored receipt, an embedded trie node).
  public mutating func append(encoded item: Bytes) {
    bytes.append(contentsOf: item)
  }

  public mutating func append(_ item: RLPItem) {
    switch item {
    case .bytes(let b): append(bytes: b)
    case .list(let items): appendList { w in for i in items { w.append(i) } }
    }
  }

  /// A list whose items `body` appends. One header byte is reserved up front; a payload of
  /// 56 bytes or more needs the long form, and the payload is shifted right to make room.
  public mutating func appendList<E: Error>(_ body: (inout RLPWriter) throws(E) -> Void) throws(E) {
    let mark = beginList()
    try body(&self)
    endList(mark)
  }

  /// Opaque position of an open list, from `beginList()`.
  public struct ListMark: Sendable {
    fileprivate let headerOffset: Int
  }

  /// Opens a list; close it with `endList`. For callers whose items are appended from
  /// several places and cannot be wrapped in one closure.
  public mutating func beginList() -> ListMark {
    bytes.append(0xc0)
    return ListMark(headerOffset: bytes.count - 1)
  }

  public mutating func endList(_ mark: ListMark) {
    let payloadStart = mark.headerOffset + 1
    let length = bytes.count - payloadStart
    if length < 56 {
      bytes[mark.headerOffset] = 0xc0 + UInt8(length)
      return
    }
    let n = RLPWriter.byteCount(length)
    var header: (UInt64, UInt64) = (0, 0)
    withUnsafeMutableBytes(of: &header) { h in
      h[0] = 0xf7 + UInt8(n)
      for i in 0..<n { h[1 + i] = UInt8(truncatingIfNeeded: length >> (8 * (n - 1 - i))) }
      bytes.replaceSubrange(mark.headerOffset..<payloadStart, with: h[0..<1 + n])
    }
  }

  // MARK: encoding helpers

  /// The header of a byte string or list payload of `length` bytes.
  @inline(__always)
  mutating func appendHeader(short: UInt8, long: UInt8, length: Int) {
    if length < 56 {
      bytes.append(short + UInt8(length))
    } else {
      let n = RLPWriter.byteCount(length)
      bytes.append(long + UInt8(n))
      appendBigEndian(UInt64(length), byteCount: n)
    }
  }

  @inline(__always)
  mutating func appendBigEndian(_ v: UInt64, byteCount n: Int) {
    var shift = 8 * (n - 1)
    while shift >= 0 {
      bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(shift)))
      shift -= 8
    }
  }

  @inline(__always)
  static func byteCount(_ length: Int) -> Int {
    (64 - UInt64(length).leadingZeroBitCount + 7) / 8
  }
}

extension RLP {
  // One-shot encoders for single values.

  public static func encode(bytes: Bytes) -> Bytes {
    var w = RLPWriter(capacity: bytes.count + 9)
    w.append(bytes: bytes)
    return w.bytes
  }

  public static func encode(uint: UInt64) -> Bytes {
    var w = RLPWriter(capacity: 9)
    w.append(uint: uint)
    return w.bytes
  }

  public static func encode(uint256: UInt256) -> Bytes {
    var w = RLPWriter(capacity: 33)
    w.append(uint256: uint256)
    return w.bytes
  }

  public static func encode(address: Address) -> Bytes {
    var w = RLPWriter(capacity: 21)
    w.append(address: address)
    return w.bytes
  }

  /// A list of items that are already encoded.
  public static func encodeList(encoded items: [Bytes]) -> Bytes {
    var w = RLPWriter(capacity: items.reduce(9) { $0 + $1.count })
    w.appendList { w in for i in items { w.append(encoded: i) } }
    return w.bytes
  }
}
