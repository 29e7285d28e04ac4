/// A 32-byte hash (Keccak-256 output, code hash, state root), big-endian in four words.
public struct Hash32: Hashable, Sendable, Comparable, CustomStringConvertible {
  /// w3 holds bytes 0..<8 (most significant), w0 bytes 24..<32, as in `UInt256`.
  public var word: UInt256

  @inlinable public init(word: UInt256) { self.word = word }

  public init<C: Collection>(_ bytes: C) where C.Element == UInt8 {
    precondition(bytes.count == 32, "hash must be 32 bytes")
    self.word = UInt256(bigEndian: bytes)
  }

  public init(hex: String) throws(HexError) {
    let b = try Hex.decode(hex)
    guard b.count == 32 else { throw .tooLong(hex) }
    self.init(b)
  }

  public static let zero = Hash32(word: .zero)
  /// keccak256 of the empty string: the code hash of an account without code.
  public static let emptyCode = try! Hash32(hex: "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
  /// Root of the empty Merkle-Patricia trie, keccak256(rlp("")).
  public static let emptyTrie = try! Hash32(hex: "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421")

  public var bytes: Bytes { word.bigEndianBytes }
  public var description: String { Hex.encode(bytes) }
  public static func < (a: Hash32, b: Hash32) -> Bool { a.word < b.word }
}
