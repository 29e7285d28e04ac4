/// Recursive Length Prefix (Yellow Paper appendix B): the item model, strict decoding and a
/// cursor for reading known structures (transactions, receipts) without building trees.
///
/// Decoding is canonical-only. Ethereum hashes the encoded bytes (transaction hashes, trie
/// nodes), so accepting a second spelling of the same value would let two different byte
/// strings, with two different hashes, decode to one transaction. Rejected: a single byte
/// below 0x80 wrapped as 0x81xx, the long form for payloads under 56 bytes, length fields
/// with leading zero bytes, anything that runs past the end of the input or of its
/// enclosing list, and trailing bytes after the top-level item.

/// Why an RLP input was rejected. Offsets are byte positions in the decoded buffer.
public enum RLPError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A header or payload extends past the end of the input or of its enclosing list.
  case truncated(offset: Int)
  /// 0x81 followed by a byte below 0x80: that byte must encode itself.
  case nonCanonicalSingleByte(offset: Int)
  /// A long-form header (0xb8..0xbf, 0xf8..0xff) for a payload shorter than 56 bytes.
  case nonCanonicalLength(offset: Int)
  /// A long-form length field that starts with a zero byte.
  case leadingZeroInLength(offset: Int)
  /// Input left over after the top-level item (or after the last field of a list).
  case trailingBytes(offset: Int)
  /// Lists nested deeper than the decoder's limit (protects the stack from 0xc1c1c1...).
  case tooDeep(offset: Int)
  /// A list where a byte string was required.
  case expectedBytes
  /// A byte string where a list was required.
  case expectedList
  /// An integer whose big-endian bytes start with zero (zero itself is the empty string).
  case leadingZeroInInteger
  /// An integer wider than the target type.
  case integerOverflow(byteCount: Int, limit: Int)
  /// A fixed-size field (address, hash) of the wrong length.
  case wrongLength(expected: Int, actual: Int)

  public var description: String {
    switch self {
    case .truncated(let o): return "RLP: item at offset \(o) runs past the end of its input"
    case .nonCanonicalSingleByte(let o): return "RLP: single byte below 0x80 wrapped in a string header at offset \(o)"
    case .nonCanonicalLength(let o): return "RLP: long-form length for a payload under 56 bytes at offset \(o)"
    case .leadingZeroInLength(let o): return "RLP: length field with a leading zero byte at offset \(o)"
    case .trailingBytes(let o): return "RLP: unexpected bytes after the item, at offset \(o)"
    case .tooDeep(let o): return "RLP: lists nested too deeply at offset \(o)"
    case .expectedBytes: return "RLP: expected a byte string, found a list"
    case .expectedList: return "RLP: expected a list, found a byte string"
    case .leadingZeroInInteger: return "RLP: integer with a leading zero byte"
    case .integerOverflow(let n, let limit): return "RLP: integer of \(n) bytes exceeds \(limit) bytes"
    case .wrongLength(let e, let a): return "RLP: expected \(e) bytes, found \(a)"
    }
  }
}

/// A decoded RLP value: a byte string or a list of items.
public enum RLPItem: Equatable, Sendable {
  case bytes(Bytes)
  case list([RLPItem])

  /// The canonical encoding.
  public func encode() -> Bytes {
    var w = RLPWriter()
    w.append(self)
    return w.bytes
  }

  // Constructors for the scalar kinds Ethereum structures use.
  public static func uint(_ v: UInt64) -> RLPItem { .bytes(RLP.minimalBytes(v)) }
  public static func uint256(_ v: UInt256) -> RLPItem { .bytes(v.minimalBigEndianBytes) }
  public static func address(_ a: Address) -> RLPItem { .bytes(a.bytes) }
  public static func hash(_ h: Hash32) -> RLPItem { .bytes(h.bytes) }

  public func asBytes() throws(RLPError) -> Bytes {
    guard case .bytes(let b) = self else { throw .expectedBytes }
    return b
  }

  public func asList() throws(RLPError) -> [RLPItem] {
    guard case .list(let items) = self else { throw .expectedList }
    return items
  }

  /// A scalar: big-endian, no leading zero bytes, at most 8 bytes.
  public func asUInt64() throws(RLPError) -> UInt64 {
    try RLP.uint64(fromScalar: asBytes())
  }

  /// A scalar: big-endian, no leading zero bytes, at most 32 bytes.
  public func asUInt256() throws(RLPError) -> UInt256 {
    try RLP.uint256(fromScalar: asBytes())
  }

  /// Exactly 20 bytes.
  public func asAddress() throws(RLPError) -> Address {
    let b = try asBytes()
    guard b.count == 20 else { throw .wrongLength(expected: 20, actual: b.count) }
    return Address(b)
  }

  /// Exactly 32 bytes.
  public func asHash32() throws(RLPError) -> Hash32 {
    let b = try asBytes()
    guard b.count == 32 else { throw .wrongLength(expected: 32, actual: b.count) }
    return Hash32(b)
  }
}

public enum RLP {
  /// Default nesting limit. Ethereum's structures nest at most a handful of levels (a
  /// transaction's access list is three deep); the limit only stops hostile inputs.
  public static let defaultMaxDepth = 64

  /// Decodes exactly one item that spans the whole input.
  public static func decode(_ bytes: Bytes, maxDepth: Int = defaultMaxDepth) throws(RLPError) -> RLPItem {
    var r = RLPReader(bytes)
    let item = try r.readItem(maxDepth: maxDepth)
    try r.finish()
    return item
  }

  /// The shape of one item: where its payload lies and where the next item starts.
  public struct Header: Equatable, Sendable {
    public var isList: Bool
    /// Payload bytes; for a single byte below 0x80, the byte itself.
    public var payload: Range<Int>
    /// The whole encoded item, header included.
    public var item: Range<Int>
  }

  /// Parses the header of the item at `offset`, which must lie, payload included, before
  /// `limit`. All canonical-form checks live here.
  public static func header(in bytes: Bytes, at offset: Int, limit: Int) throws(RLPError) -> Header {
    guard offset < limit else { throw .truncated(offset: offset) }
    let prefix = bytes[offset]
    switch prefix {
    case 0x00..<0x80:
      return Header(isList: false, payload: offset..<offset + 1, item: offset..<offset + 1)
    case 0x80..<0xb8, 0xc0..<0xf8:
      let isList = prefix >= 0xc0
      let length = Int(prefix - (isList ? 0xc0 : 0x80))
      let start = offset + 1
      guard length <= limit - start else { throw .truncated(offset: offset) }
      if !isList && length == 1 && bytes[start] < 0x80 { throw .nonCanonicalSingleByte(offset: offset) }
      return Header(isList: isList, payload: start..<start + length, item: offset..<start + length)
    default:
      let isList = prefix >= 0xf8
      let lengthOfLength = Int(prefix - (isList ? 0xf7 : 0xb7))
      let start = offset + 1 + lengthOfLength
      guard lengthOfLength <= limit - offset - 1 else { throw .truncated(offset: offset) }
      guard bytes[offset + 1] != 0 else { throw .leadingZeroInLength(offset: offset) }
      var length: UInt64 = 0
      for i in offset + 1..<start { length = length << 8 | UInt64(bytes[i]) }
      guard length >= 56 else { throw .nonCanonicalLength(offset: offset) }
      guard length <= UInt64(limit - start) else { throw .truncated(offset: offset) }
      let end = start + Int(length)
      return Header(isList: isList, payload: start..<end, item: offset..<end)
    }
  }

  /// A scalar's value from its big-endian payload, strictly: no leading zeros, <= 8 bytes.
  public static func uint64<C: Collection>(fromScalar b: C) throws(RLPError) -> UInt64 where C.Element == UInt8 {
    guard b.count <= 8 else { throw .integerOverflow(byteCount: b.count, limit: 8) }
    guard b.first != 0 else { throw .leadingZeroInInteger }
    var v: UInt64 = 0
    for byte in b { v = v << 8 | UInt64(byte) }
    return v
  }

  /// A scalar's value from its big-endian payload, strictly: no leading zeros, <= 32 bytes.
  public static func uint256<C: Collection>(fromScalar b: C) throws(RLPError) -> UInt256 where C.Element == UInt8 {
    guard b.count <= 32 else { throw .integerOverflow(byteCount: b.count, limit: 32) }
    guard b.first != 0 else { throw .leadingZeroInInteger }
    return UInt256(bigEndian: b)
  }

  /// Big-endian bytes of `v` without leading zeros; empty for zero.
  public static func minimalBytes(_ v: UInt64) -> Bytes {
    let n = (64 - v.leadingZeroBitCount + 7) / 8
    var out = Bytes(repeating: 0, count: n)
    for i in 0..<n { out[i] = UInt8(truncatingIfNeeded: v >> UInt64(8 * (n - 1 - i))) }
    return out
  }
}

/// A cursor over a sequence of RLP items, for decoding structures whose shape is known
/// (a transaction is a list of scalars, an address and an access list) field by field,
/// without materialising `RLPItem` trees. Each read checks canonical form and stays within
/// the enclosing list; `finish()` checks that the list had no extra fields.
///
///     var tx = try RLPReader(raw).readList()
///     let nonce = try tx.readUInt64()
///     ...
///     try tx.finish()
public struct RLPReader: Sendable {
  /// The whole buffer; reads never copy it.
  public let bytes: Bytes
  /// Offset of the next item.
  public private(set) var position: Int
  /// End of the region this reader may read: the input's end or its list's payload end.
  public let end: Int

  /// A reader over the whole buffer, which holds one top-level item to be read.
  public init(_ bytes: Bytes) {
    self.bytes = bytes
    self.position = 0
    self.end = bytes.count
  }

  init(bytes: Bytes, range: Range<Int>) {
    self.bytes = bytes
    self.position = range.lowerBound
    self.end = range.upperBound
  }

  public var isAtEnd: Bool { position >= end }

  /// Throws unless every byte of this reader's region was consumed.
  public func finish() throws(RLPError) {
    guard position == end else { throw .trailingBytes(offset: position) }
  }

  /// The next item's header, without consuming it.
  public func peekHeader() throws(RLPError) -> RLP.Header {
    try RLP.header(in: bytes, at: position, limit: end)
  }

  /// Consumes the next item whatever it is and returns its encoded range (header
  /// included): for hashing or storing a sub-structure verbatim.
  public mutating func skipItem() throws(RLPError) -> Range<Int> {
    let h = try peekHeader()
    position = h.item.upperBound
    return h.item
  }

  /// Consumes a byte string and returns its payload range, without copying.
  public mutating func readBytesRange() throws(RLPError) -> Range<Int> {
    let h = try peekHeader()
    guard !h.isList else { throw .expectedBytes }
    position = h.item.upperBound
    return h.payload
  }

  public mutating func readBytes() throws(RLPError) -> Bytes {
    Bytes(bytes[try readBytesRange()])
  }

  /// Consumes a list and returns a reader over its items.
  public mutating func readList() throws(RLPError) -> RLPReader {
    let h = try peekHeader()
    guard h.isList else { throw .expectedList }
    position = h.item.upperBound
    return RLPReader(bytes: bytes, range: h.payload)
  }

  public mutating func readUInt64() throws(RLPError) -> UInt64 {
    try RLP.uint64(fromScalar: bytes[try readBytesRange()])
  }

  public mutating func readUInt256() throws(RLPError) -> UInt256 {
    try RLP.uint256(fromScalar: bytes[try readBytesRange()])
  }

  public mutating func readAddress() throws(RLPError) -> Address {
    let r = try readBytesRange()
    guard r.count == 20 else { throw .wrongLength(expected: 20, actual: r.count) }
    return Address(bytes[r])
  }

  /// An address or the empty string (a transaction's `to` for contract creation).
  public mutating func readOptionalAddress() throws(RLPError) -> Address? {
    let r = try readBytesRange()
    if r.isEmpty { return nil }
    guard r.count == 20 else { throw .wrongLength(expected: 20, actual: r.count) }
    return Address(bytes[r])
  }

  public mutating func readHash32() throws(RLPError) -> Hash32 {
    let r = try readBytesRange()
    guard r.count == 32 else { throw .wrongLength(expected: 32, actual: r.count) }
    return Hash32(bytes[r])
  }

  /// Consumes the next item as a tree, refusing lists nested deeper than `maxDepth`.
  public mutating func readItem(maxDepth: Int = RLP.defaultMaxDepth) throws(RLPError) -> RLPItem {
    let h = try peekHeader()
    position = h.item.upperBound
    guard h.isList else { return .bytes(Bytes(bytes[h.payload])) }
    guard maxDepth > 0 else { throw .tooDeep(offset: h.item.lowerBound) }
    var inner = RLPReader(bytes: bytes, range: h.payload)
    var items: [RLPItem] = []
    while !inner.isAtEnd { items.append(try inner.readItem(maxDepth: maxDepth - 1)) }
    return .list(items)
  }
}
