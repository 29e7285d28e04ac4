import BraidCrypto
import BraidEVM
import BraidPrimitives
import Testing

/// EIP-2718 typed envelopes, EIP-1559 fields and sender recovery. The GeneralStateTests run
/// cross-checks every fixture's txbytes as well; these cover the error paths.
struct EIP2718TransactionDecodingTests {
  /// The first transaction of the shared erc20-100 benchmark block, signed by py-evm tooling.
  let raw = try! Hex.decode("0x02f8b00180843b9aca0084b2d05e00830186a094707070707070707070707070707070707070700180b844a9059cbb0000000000000000000000003bc9a10cb18f8f467bbd3a7c146031c5246d8c3d0000000000000000000000000000000000000000000000000000000000000364c001a04f867b2d4631d1e12586d3c551e1338d14480f9c5cc0b6db460cd2843ba91c8fa03d4fb7ef7e5f2a98eec58517456bcb88efe4c618113cb73be98d5a271bc6e148")

  @Test func decodesADynamicFeeTransaction() throws {
    let s = try SignedTransaction.decode(raw)
    let t = s.transaction
    #expect(t.type == 2)
    #expect(t.chainId == 1)
    #expect(t.sender == (try Address(hex: "0xa38e53129dabd16fb4bcf1d38091775e77a4f0bc")))
    #expect(t.to == (try Address(hex: "0x7070707070707070707070707070707070707001")))
    #expect(t.nonce == 0)
    #expect(t.gasLimit == 100_000)
    #expect(t.maxFeePerGas == (try UInt256(parsing: "0xb2d05e00")))
    #expect(t.maxPriorityFeePerGas == (try UInt256(parsing: "0x3b9aca00")))
    #expect(t.data.count == 68)
    #expect(s.hash == Keccak256.hash(raw))
  }

  @Test func rejectsTrailingBytesUnknownTypesAndBadSignatures() {
    #expect(throws: TransactionDecodingError.empty) { try SignedTransaction.decode([]) }
    #expect(throws: TransactionDecodingError.typeNotSupported(4)) { try SignedTransaction.decode([4] + raw.dropFirst()) }
    #expect(throws: TransactionDecodingError.self) { try SignedTransaction.decode(raw + [0]) }
    #expect(throws: TransactionDecodingError.self) { try SignedTransaction.decode(Array(raw.dropLast())) }
    // Flip a byte of s: either the signature no longer recovers or it recovers someone else.
    var tampered = raw
    tampered[tampered.count - 1] ^= 0x01
    let sender = try? SignedTransaction.decode(tampered).transaction.sender
    #expect(sender != (try! Address(hex: "0xa38e53129dabd16fb4bcf1d38091775e77a4f0bc")))
  }

  @Test func rejectsHighS() throws {
    // Replace s with n - s: the same signature in its malleable form (EIP-2 forbids it).
    let sStart = raw.count - 32
    let s = UInt256(bigEndian: raw[sStart...])
    let highS = Secp256k1.curveOrder &- s
    let tampered = Array(raw[..<sStart]) + highS.bigEndianBytes
    #expect(throws: TransactionDecodingError.invalidSignature) { try SignedTransaction.decode(tampered) }
  }
}
