/// RLP encoding against the Yellow Paper appendix B / Ethereum wiki examples, through both
/// the `RLPItem` tree and the appending `RLPWriter`.
import BraidPrimitives
import Testing

private func hex(_ b: Bytes) -> String { Hex.encode(b, prefix: false) }
private func str(_ s: String) -> RLPItem { .bytes(Array(s.utf8)) }

@Test func encodesShortStrings() {
  #expect(hex(str("dog").encode()) == "83646f67")
  #expect(hex(RLPItem.bytes([]).encode()) == "80")
  #expect(hex(RLPItem.bytes([0x00]).encode()) == "00")
  #expect(hex(RLPItem.bytes([0x7f]).encode()) == "7f")
  #expect(hex(RLPItem.bytes([0x80]).encode()) == "8180")
}

@Test func encodesListsAndNesting() {
  #expect(hex(RLPItem.list([str("cat"), str("dog")]).encode()) == "c88363617483646f67")
  #expect(hex(RLPItem.list([]).encode()) == "c0")
  // The set-theoretic representation of three: [ [], [[]], [ [], [[]] ] ].
  let three = RLPItem.list([.list([]), .list([.list([])]), .list([.list([]), .list([.list([])])])])
  #expect(hex(three.encode()) == "c7c0c1c0c3c0c1c0")
}

@Test func encodesIntegers() {
  #expect(hex(RLP.encode(uint: 0)) == "80")
  #expect(hex(RLP.encode(uint: 15)) == "0f")
  #expect(hex(RLP.encode(uint: 0x7f)) == "7f")
  #expect(hex(RLP.encode(uint: 0x80)) == "8180")
  #expect(hex(RLP.encode(uint: 1024)) == "820400")
  #expect(hex(RLP.encode(uint: 0x1_0000_0000)) == "850100000000")
  #expect(hex(RLP.encode(uint: .max)) == "88ffffffffffffffff")
  #expect(hex(RLP.encode(uint256: UInt256(1024))) == "820400")
  #expect(hex(RLP.encode(uint256: .zero)) == "80")
  let top = UInt256.one << 255
  #expect(hex(RLP.encode(uint256: top)) == "a0" + "80" + String(repeating: "00", count: 31))
  #expect(RLPItem.uint256(top).encode() == RLP.encode(uint256: top))
  #expect(RLPItem.uint(1024).encode() == RLP.encode(uint: 1024))
}

@Test func encodesLongStringWithLengthOfLength() {
  let lorem = "Lorem ipsum dolor sit amet, consectetur adipisicing elit"
  #expect(lorem.utf8.count == 56)
  let encoded = str(lorem).encode()
  #expect(hex(Array(encoded.prefix(2))) == "b838")
  #expect(Array(encoded.dropFirst(2)) == Array(lorem.utf8))
  // 55 bytes is still the short form; 1024 needs two length bytes.
  #expect(RLP.encode(bytes: Bytes(repeating: 0x61, count: 55)).first == 0xb7)
  #expect(Array(RLP.encode(bytes: Bytes(repeating: 0x61, count: 1024)).prefix(3)) == [0xb9, 0x04, 0x00])
}

@Test func writerPatchesShortAndLongListHeaders() {
  var w = RLPWriter()
  w.appendList { w in w.append(bytes: Bytes(repeating: 0x61, count: 60)) }
  // Payload is 62 bytes (b83c + 60), so the header grows to f83e after the fact.
  #expect(hex(Array(w.bytes.prefix(5))) == "f83eb83c61")
  #expect(w.bytes.count == 64)

  var nested = RLPWriter()
  let outer = nested.beginList()
  nested.appendList { w in
    w.append(address: Address(Bytes(repeating: 0x01, count: 20)))
    w.append(uint: 5)
  }
  nested.append(bytes: [])
  nested.append(uint: 0x7f)
  nested.append(uint256: UInt256(0x80))
  nested.endList(outer)
  // rlp.encode([[b"\x01" * 20, 5], b"", 0x7f, 0x80]) in pyrlp.
  #expect(hex(nested.bytes) == "dbd694010101010101010101010101010101010101010105807f8180")
}

@Test func writerMatchesTreeEncodingForLongNestedLists() throws {
  let leaf = RLPItem.list((0..<40).map { RLPItem.uint(UInt64($0) * 1000) })
  let tree = RLPItem.list([leaf, .bytes(Bytes(repeating: 0xee, count: 300)), leaf])
  var w = RLPWriter()
  w.append(tree)
  #expect(w.bytes == tree.encode())
  #expect(try RLP.decode(w.bytes) == tree)
}

@Test func encodesHashAndAddress() {
  let h = Keccak256.hash(Bytes())
  var w = RLPWriter()
  w.append(hash: h)
  #expect(w.bytes == [0xa0] + h.bytes)
  let a = Address(Bytes(0..<20))
  #expect(RLP.encode(address: a) == [0x94] + Bytes(0..<20))
  #expect(RLPItem.address(a).encode() == RLP.encode(address: a))
  #expect(RLP.encodeList(encoded: [RLP.encode(uint: 1), RLP.encode(uint: 2)]) == [0xc2, 0x01, 0x02])
}
