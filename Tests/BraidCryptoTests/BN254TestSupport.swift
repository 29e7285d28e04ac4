/// Shared pieces of the BN254 precompile tests: hex literals that may be laid out one
/// 32-byte word per line, and named input/output vectors.
import BraidPrimitives
import Testing

/// Decodes hex, ignoring whitespace so vectors can be written one word per line.
func bn254Hex(_ text: String) -> Bytes {
  let compact = String(text.filter { !$0.isWhitespace })
  guard let bytes = try? Hex.decode(compact) else {
    Issue.record("bad hex literal: \(compact.prefix(40))")
    return []
  }
  return bytes
}

/// A 32-byte big-endian word holding n, as hex.
func bn254Word(_ n: UInt64) -> String { Hex.encode(UInt256(n).bigEndianBytes, prefix: false) }

/// An input and its expected output (nil: the precompile must fail).
struct BN254Vector: Sendable, CustomTestStringConvertible {
  let name: String
  let input: String
  let expected: String?

  init(_ name: String, input: String, expected: String?) {
    self.name = name
    self.input = input
    self.expected = expected
  }

  var testDescription: String { name }
  var inputBytes: Bytes { bn254Hex(input) }
  var expectedBytes: Bytes? { expected.map(bn254Hex) }
}

/// Points used across the tests, as 64- and 128-byte hex encodings.
enum BN254TestPoints {
  /// The G1 generator (1, 2).
  static let g1 = bn254Word(1) + bn254Word(2)
  /// The G2 generator used by EIP-197's examples: x_imag, x_real, y_imag, y_real.
  static let g2 = """
    198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2
    1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed
    090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b
    12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa
    """
  /// −G2: the same x, y negated.
  static let g2Negated = """
    198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2
    1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed
    275dc4a288d1afb3cbb1ac09187524c7db36395df7be3b99e673b13a075a65ec
    1d9befcd05a5323e6da4d435f3b617cdb3af83285c2df711ef39c01571827f9d
    """
  /// p, the field modulus, and p + 1, p + 2: coordinates that reduce to valid values but
  /// are out of range, which EIP-196 makes an error.
  static let p = "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47"
  static let pPlus1 = "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd48"
  static let pPlus2 = "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd49"
  static let zero = String(repeating: "0", count: 64)
}
