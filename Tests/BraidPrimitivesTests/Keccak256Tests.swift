/// Known-answer tests for Keccak-256, chosen to cover the sponge's block boundaries
/// (135, 136, 137 and 272 bytes) and the one-block fast paths for words.
import BraidPrimitives
import Testing

/// Deterministic test input: byte i is (7i + 3) mod 256. Expected digests come from
/// pycryptodome's `Crypto.Hash.keccak` (digest_bits=256).
private func pattern(_ n: Int) -> Bytes {
  (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
}

private func hex(_ h: Hash32) -> String { Hex.encode(h.bytes, prefix: false) }

@Test func keccakOfEmptyStringIsTheEmptyCodeHash() {
  #expect(hex(Keccak256.hash(Bytes())) == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
  #expect(Keccak256.hash(Bytes()) == Hash32.emptyCode)
}

@Test func keccakOfABC() {
  #expect(hex(Keccak256.hash(Array("abc".utf8))) == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
  #expect(hex(Keccak256.hash("abc".utf8)) == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
}

@Test(arguments: [
  (135, "00ef96af9cf4b24c7f269d922294444a197d0a33638c2e56634c57e892103a8f"),
  (136, "742061bcad767ed4c4f5883b1dcb1aad11afdcc140dc469d953759b127b9f9ed"),
  (137, "e3371f61e770abf254c34239c3b0099ad90594507415bc81dd0a10b9692bbf2a"),
  (272, "ac141fd7b0a0ffcd2e967254d508da3ec616596493c36fa304425647d90e6de5"),
  (1000, "80cdc8dd52cbb3dbaea8f383209893fa2bb52efbd5aedbb4b26dcfe307fcdc9b"),
])
func keccakAcrossBlockBoundaries(length: Int, expected: String) {
  let data = pattern(length)
  #expect(hex(Keccak256.hash(data)) == expected)
  // A slice with a non-zero start exercises the generic path and unaligned loads.
  let padded = [0xAA] + data
  #expect(hex(Keccak256.hash(padded[1...])) == expected)
}

@Test func keccakOfOneWordMatchesTheByteForm() {
  let one = UInt256(1)
  #expect(hex(Keccak256.hash(word: one)) == "b10e2d527612073b26eecdfd717e6a320cf44b4afac2b0732d9fcbe2b7fa0cf6")
  #expect(Keccak256.hash(word: one) == Keccak256.hash(one.bigEndianBytes))
}

@Test func keccakOfTwoWordsIsTheMappingSlotHash() {
  let key = UInt256(0xdead_beef), slot = UInt256(5)
  #expect(hex(Keccak256.hash(key, slot)) == "02325832c655caea370990bcf592c0a72ae3306e2eafdd8cb0924f145b4a1fa0")
  #expect(Keccak256.hash(key, slot) == Keccak256.hash(key.bigEndianBytes + slot.bigEndianBytes))
}
