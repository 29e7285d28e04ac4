/// Strict RLP decoding: round trips, typed accessors, and every non-canonical or malformed
/// input the decoder must refuse.
import BraidPrimitives
import Testing

private func bytes(_ hex: String) -> Bytes { try! Hex.decode(hex) }

@Test func decodesKnownVectors() throws {
  #expect(try RLP.decode(bytes("83646f67")) == .bytes(Array("dog".utf8)))
  #expect(try RLP.decode(bytes("c88363617483646f67")) == .list([.bytes(Array("cat".utf8)), .bytes(Array("dog".utf8))]))
  #expect(try RLP.decode(bytes("80")) == .bytes([]))
  #expect(try RLP.decode(bytes("c0")) == .list([]))
  #expect(try RLP.decode(bytes("0f")).asUInt64() == 15)
  #expect(try RLP.decode(bytes("820400")).asUInt64() == 1024)
  #expect(try RLP.decode(bytes("80")).asUInt256() == .zero)
  let three = RLPItem.list([.list([]), .list([.list([])]), .list([.list([]), .list([.list([])])])])
  #expect(try RLP.decode(bytes("c7c0c1c0c3c0c1c0")) == three)
  let long = try RLP.decode([0xb8, 0x38] + Bytes(repeating: 0x41, count: 56))
  #expect(try long.asBytes() == Bytes(repeating: 0x41, count: 56))
}

@Test func typedAccessorsAreStrict() throws {
  #expect(throws: RLPError.leadingZeroInInteger) { try RLPItem.bytes([0x00]).asUInt64() }
  #expect(throws: RLPError.leadingZeroInInteger) { try RLPItem.bytes([0x00, 0x01]).asUInt256() }
  #expect(throws: RLPError.integerOverflow(byteCount: 9, limit: 8)) { try RLPItem.bytes(Bytes(repeating: 1, count: 9)).asUInt64() }
  #expect(throws: RLPError.integerOverflow(byteCount: 33, limit: 32)) { try RLPItem.bytes(Bytes(repeating: 1, count: 33)).asUInt256() }
  #expect(try RLPItem.bytes(Bytes(repeating: 0xff, count: 32)).asUInt256() == .max)
  #expect(try RLPItem.bytes(Bytes(repeating: 0xff, count: 8)).asUInt64() == .max)
  #expect(throws: RLPError.wrongLength(expected: 20, actual: 19)) { try RLPItem.bytes(Bytes(repeating: 1, count: 19)).asAddress() }
  #expect(try RLPItem.bytes(Bytes(repeating: 1, count: 20)).asAddress() == Address(Bytes(repeating: 1, count: 20)))
  #expect(throws: RLPError.expectedBytes) { try RLPItem.list([]).asBytes() }
  #expect(throws: RLPError.expectedList) { try RLPItem.bytes([]).asList() }
  #expect(try RLPItem.list([.uint(1)]).asList() == [.uint(1)])
}

@Test func rejectsWrappedSingleByte() throws {
  #expect(throws: RLPError.nonCanonicalSingleByte(offset: 0)) { try RLP.decode(bytes("8100")) }
  #expect(throws: RLPError.nonCanonicalSingleByte(offset: 0)) { try RLP.decode(bytes("817f")) }
  #expect(throws: RLPError.nonCanonicalSingleByte(offset: 1)) { try RLP.decode(bytes("c28105")) }
  #expect(try RLP.decode(bytes("8180")) == .bytes([0x80]))
}

@Test func rejectsLongFormForShortPayloads() {
  // "dog" spelled with a length-of-length header.
  #expect(throws: RLPError.nonCanonicalLength(offset: 0)) { try RLP.decode(bytes("b803646f67")) }
  #expect(throws: RLPError.nonCanonicalLength(offset: 0)) { try RLP.decode([0xb8, 55] + Bytes(repeating: 0x61, count: 55)) }
  #expect(throws: RLPError.nonCanonicalLength(offset: 0)) { try RLP.decode(bytes("f801c0")) }
}

@Test func rejectsLengthsWithLeadingZeros() {
  #expect(throws: RLPError.leadingZeroInLength(offset: 0)) { try RLP.decode([0xb9, 0x00, 0x38] + Bytes(repeating: 0x61, count: 56)) }
  #expect(throws: RLPError.leadingZeroInLength(offset: 0)) { try RLP.decode([0xf9, 0x00, 0x38] + Bytes(repeating: 0x01, count: 56)) }
}

@Test func rejectsTruncatedInput() {
  #expect(throws: RLPError.truncated(offset: 0)) { try RLP.decode([]) }
  #expect(throws: RLPError.truncated(offset: 0)) { try RLP.decode(bytes("83646f")) }
  #expect(throws: RLPError.truncated(offset: 0)) { try RLP.decode(bytes("b8")) }
  #expect(throws: RLPError.truncated(offset: 0)) { try RLP.decode(bytes("b9ff")) }
  #expect(throws: RLPError.truncated(offset: 0)) { try RLP.decode(bytes("c883636174")) }
  // An item inside a list may not run past the list's own payload even when the input
  // continues: c2 declares two payload bytes but 83.. needs four.
  #expect(throws: RLPError.truncated(offset: 1)) { try RLP.decode(bytes("c283646f67")) }
}

@Test func rejectsLengthsBeyondTheInput() {
  // Eight-byte lengths near UInt64.max must not overflow the bounds arithmetic.
  #expect(throws: RLPError.truncated(offset: 0)) { try RLP.decode(bytes("bfffffffffffffffff00")) }
  #expect(throws: RLPError.truncated(offset: 0)) { try RLP.decode(bytes("ff7fffffffffffffff00")) }
  #expect(throws: RLPError.truncated(offset: 0)) { try RLP.decode([0xb8, 0x40] + Bytes(repeating: 0x61, count: 10)) }
}

@Test func rejectsTrailingBytes() {
  #expect(throws: RLPError.trailingBytes(offset: 4)) { try RLP.decode(bytes("83646f6700")) }
  #expect(throws: RLPError.trailingBytes(offset: 1)) { try RLP.decode(bytes("c0c0")) }
}

@Test func rejectsHostileNesting() throws {
  // Short lists only: 40 levels of c1..c1c0 style nesting with correct lengths.
  var item = RLPItem.list([])
  for _ in 0..<40 { item = .list([item]) }
  let deep = item.encode()
  #expect(deep.count == 41)
  // 41 lists; the one at offset 8 is the ninth, one too many for a limit of 8.
  #expect(throws: RLPError.tooDeep(offset: 8)) { try RLP.decode(deep, maxDepth: 8) }
  #expect(try RLP.decode(deep) == item)
}

@Test func readerWalksAStructureFieldByField() throws {
  var w = RLPWriter()
  let to = Address(Bytes(repeating: 0x22, count: 20))
  w.appendList { w in
    w.append(uint: 7)
    w.append(uint256: UInt256(1) << 200)
    w.append(address: to)
    w.append(bytes: [])
    w.append(hash: Hash32.emptyTrie)
    w.appendList { w in w.append(uint: 1) }
  }
  var outer = RLPReader(w.bytes)
  var r = try outer.readList()
  try outer.finish()
  #expect(try r.readUInt64() == 7)
  #expect(try r.readUInt256() == UInt256(1) << 200)
  #expect(try r.readOptionalAddress() == to)
  #expect(try r.readOptionalAddress() == nil)
  #expect(try r.readHash32() == Hash32.emptyTrie)
  let raw = try r.skipItem()
  #expect(Array(w.bytes[raw]) == [0xc1, 0x01])
  #expect(r.isAtEnd)
  try r.finish()

  var top = RLPReader(bytes("c20102"))
  var short = try top.readList()
  _ = try short.readUInt64()
  #expect(throws: RLPError.trailingBytes(offset: 2)) { try short.finish() }
  var wrong = RLPReader(bytes("c0"))
  #expect(throws: RLPError.expectedBytes) { try wrong.readBytes() }
}
