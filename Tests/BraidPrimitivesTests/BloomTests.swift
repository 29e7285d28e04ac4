/// The logs bloom (Yellow Paper §4.4.1): bit positions checked by hand for one value and a
/// full filter for a USDC Transfer log checked against the `eth-bloom` Python package.
import BraidPrimitives
import Testing

private let usdc = try! Address(hex: "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48")
/// keccak256("Transfer(address,address,uint256)").
private let transfer = try! Hash32(hex: "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef")

@Test func bloomSetsTheThreeBitsTheSpecSelects() {
  // keccak256(usdc) begins 7b58 55bb 92cd. The low 11 bits of each pair are
  // 0x358 = 856, 0x5bb = 1467, 0x2cd = 717. Bit b of the big-endian 2048-bit number is
  // bit b % 8 of byte 255 - b / 8: 856 -> byte 148 bit 0, 1467 -> byte 72 bit 3,
  // 717 -> byte 166 bit 5.
  var b = Bloom()
  b.add(address: usdc)
  var expected = Bytes(repeating: 0, count: 256)
  expected[148] = 0x01
  expected[72] = 0x08
  expected[166] = 0x20
  #expect(b.bytes == expected)
  #expect(b.contains(usdc.bytes))
  #expect(!b.isEmpty)
  #expect(Bloom().isEmpty)
}

@Test func bloomOfAddressAndTopicMatchesEthBloom() {
  // eth_bloom.BloomFilter() with .add(address) and .add(topic), as bytes.
  var b = Bloom()
  b.add(log: usdc, topics: [transfer])
  let nonZero = b.bytes.enumerated().filter { $0.element != 0 }.map { [$0.offset, Int($0.element)] }
  #expect(nonZero == [[72, 0x08], [75, 0x08], [123, 0x10], [148, 0x01], [166, 0x20], [195, 0x02]])
  // Adding raw topic bytes is the same as adding the topic.
  var raw = Bloom()
  raw.add(usdc.bytes)
  raw.add(transfer.bytes)
  #expect(raw == b)
  #expect(b.contains(transfer.bytes))
  #expect(!b.contains(Array("absent".utf8)))
}

@Test func bloomUnionAndRoundTrip() {
  var a = Bloom(), t = Bloom()
  a.add(address: usdc)
  t.add(topic: transfer)
  var both = Bloom()
  both.add(log: usdc, topics: [transfer])
  #expect(a.union(t) == both)
  a.formUnion(t)
  #expect(a == both)
  #expect(Bloom(bytes: both.bytes) == both)
  #expect(Bloom().bytes == Bytes(repeating: 0, count: 256))
}
