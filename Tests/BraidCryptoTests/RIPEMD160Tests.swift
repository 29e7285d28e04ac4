/// RIPEMD-160 known answers: the test vectors published with the algorithm by its authors,
/// which cover the empty input, padding into a second block (56 bytes), several blocks and a
/// million bytes.
import BraidCrypto
import BraidPrimitives
import Testing

private func ripemdHex(_ s: String) -> String { Hex.encode(Hashes.ripemd160(Array(s.utf8)), prefix: false) }

@Test(arguments: [
  ("", "9c1185a5c5e9fc54612808977ee8f548b2258d31"),
  ("a", "0bdc9d2d256b3ee9daae347be6f4dc835a467ffe"),
  ("abc", "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"),
  ("message digest", "5d0689ef49d2fae572b881b123a85ffa21595f36"),
  ("abcdefghijklmnopqrstuvwxyz", "f71c27109c692c1b56bbdceb5b9d2865b3708dbc"),
  ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "12a053384a9c0c88e405a06c27dcf49ada62eb2b"),
  (
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    "b0e20b6e3116640286ed3a87a5713079b21f5189"
  ),
  (String(repeating: "1234567890", count: 8), "9b752e45573d4b39f4dbd3323cab82bf63326bfb"),
])
func ripemd160KnownAnswers(message: String, digest: String) {
  #expect(ripemdHex(message) == digest)
}

@Test func ripemd160OfAMillionAs() {
  let digest = Hashes.ripemd160(Bytes(repeating: UInt8(ascii: "a"), count: 1_000_000))
  #expect(Hex.encode(digest, prefix: false) == "52783243c1697bdbe16d37f97f68f08325dc1528")
}

/// Lengths around the 56-byte and 64-byte boundaries, where the padding spills into an
/// extra block (values from pycryptodome's RIPEMD160).
@Test(arguments: [
  (55, "0d8a8c9063a48576a7c97e9f95253a6e53ff6765"),
  (56, "e72334b46c83cc70bef979e15453706c95b888be"),
  (63, "e640041293fe663b9bf3f8c21ffecac03819e6b2"),
  (64, "9dfb7d374ad924f3f88de96291c33e9abed53e32"),
  (65, "99724bb11811e7166af38f671b6a082d8ab4960b"),
  (119, "23e398ff2bac815aa1bbb57ca2a669c841872919"),
  (120, "c476770a6dae31fcee8d25efe6559a05c8024595"),
])
func ripemd160PaddingBoundaries(length: Int, digest: String) {
  #expect(Hex.encode(Hashes.ripemd160(Bytes(repeating: 0x61, count: length)), prefix: false) == digest)
}
