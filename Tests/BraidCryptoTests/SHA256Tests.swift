/// SHA-256 known answers from FIPS 180-2's examples (appendix B) and the NIST long-message
/// vector.
import BraidCrypto
import BraidPrimitives
import Testing

private func sha256Hex(_ s: String) -> String { Hex.encode(Hashes.sha256(Array(s.utf8)), prefix: false) }

@Test func sha256OfEmptyInput() {
  #expect(sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
}

@Test func sha256OneBlockMessage() {
  #expect(sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
}

@Test func sha256TwoBlockMessage() {
  #expect(
    sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
      == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
}

@Test func sha256OfAMillionAs() {
  let digest = Hashes.sha256(Bytes(repeating: UInt8(ascii: "a"), count: 1_000_000))
  #expect(
    Hex.encode(digest, prefix: false) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
}
