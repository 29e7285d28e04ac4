/// The alt_bn128 precompiles: ECADD (0x06) and ECMUL (0x07) from EIP-196, the pairing
/// check (0x08) from EIP-197. Byte-level input rules live here; the arithmetic lives in the
/// other BN254 files. Gas (EIP-1108) is the caller's business.
import BraidPrimitives

public enum BN254 {
  /// r, the prime order of G1 and of the G2 subgroup.
  static let groupOrder = UInt256(
    w0: 0x43e1_f593_f000_0001, w1: 0x2833_e848_79b9_7091,
    w2: 0xb850_45b6_8181_585d, w3: 0x3064_4e72_e131_a029)

  /// ECADD: two G1 points (x1, y1, x2, y2, 32 bytes each, input zero-padded to 128 bytes)
  /// to their sum, 64 bytes. Nil, meaning the call fails and consumes all its gas, when a
  /// coordinate is not below p or a point is not on the curve.
  public static func add(_ input: Bytes) -> Bytes? {
    padded(input, to: 128) { raw in
      guard let a = decodeG1(raw), let b = decodeG1(raw + 64) else { return nil }
      return encodeG1(a + b)
    }
  }

  /// ECMUL: a G1 point (x, y) and a 256-bit scalar s (input zero-padded to 96 bytes) to
  /// s·(x, y), 64 bytes. The scalar is used as is, never reduced or range-checked.
  public static func mul(_ input: Bytes) -> Bytes? {
    padded(input, to: 96) { raw in
      guard let point = decodeG1(raw) else { return nil }
      return encodeG1(point.multiplied(by: UInt256(bigEndianRaw: raw + 64)))
    }
  }

  /// The pairing check: k 192-byte elements, each a G1 point (x, y) and a G2 point
  /// (x_imag, x_real, y_imag, y_real), to 32 bytes holding 1 when ∏ e(P_i, Q_i) = 1 and 0
  /// otherwise. Nil when the length is not a multiple of 192, a coordinate is not below p,
  /// a point is off its curve, or a G2 point is outside the order-r subgroup. All-zero
  /// points are the identity and drop out of the product; empty input yields 1.
  public static func pairing(_ input: Bytes) -> Bytes? {
    guard input.count % 192 == 0 else { return nil }
    var pairs: [BN254Pairing.Pair] = []
    pairs.reserveCapacity(input.count / 192)
    let valid = input.withUnsafeBytes { buffer -> Bool in
      var offset = 0
      while offset < buffer.count {
        let raw = buffer.baseAddress! + offset
        // Both points are validated even when one of them is the identity.
        guard let p = decodeG1(raw), let q = decodeG2(raw + 64) else { return false }
        if !p.isInfinity && !q.isInfinity {
          pairs.append(BN254Pairing.Pair(px: p.x, py: p.y, qx: q.x, qy: q.y))
        }
        offset += 192
      }
      return true
    }
    guard valid else { return nil }
    var out = Bytes(repeating: 0, count: 32)
    if BN254Pairing.check(pairs) { out[31] = 1 }
    return out
  }

  // MARK: Encoding

  /// Runs body over the input truncated or right-padded with zeros to count bytes, as
  /// EIP-196 reads short input.
  private static func padded(
    _ input: Bytes, to count: Int, _ body: (UnsafeRawPointer) -> Bytes?
  ) -> Bytes? {
    if input.count >= count {
      return input.withUnsafeBytes { body($0.baseAddress!) }
    }
    var buffer = Bytes(repeating: 0, count: count)
    buffer.replaceSubrange(0..<input.count, with: input)
    return buffer.withUnsafeBytes { body($0.baseAddress!) }
  }

  private static func decodeFp(_ raw: UnsafeRawPointer) -> BN254Fp? {
    BN254Fp(UInt256(bigEndianRaw: raw))
  }

  /// A G1 point from 64 bytes (z = 1, or infinity for all zeros); nil when invalid.
  static func decodeG1(_ raw: UnsafeRawPointer) -> BN254G1? {
    guard let x = decodeFp(raw), let y = decodeFp(raw + 32) else { return nil }
    if x.isZero && y.isZero { return .infinity }
    guard BN254G1.isOnCurve(x: x, y: y) else { return nil }
    return BN254G1(x: x, y: y)
  }

  /// A G2 point from 128 bytes, imaginary parts first (z = 1, or infinity for all zeros);
  /// nil when invalid or outside the order-r subgroup.
  static func decodeG2(_ raw: UnsafeRawPointer) -> BN254G2? {
    guard let xi = decodeFp(raw), let xr = decodeFp(raw + 32),
      let yi = decodeFp(raw + 64), let yr = decodeFp(raw + 96)
    else { return nil }
    let x = BN254Fp2(xr, xi)
    let y = BN254Fp2(yr, yi)
    if x.isZero && y.isZero { return .infinity }
    guard BN254G2.isOnCurve(x: x, y: y) else { return nil }
    let q = BN254G2(x: x, y: y)
    return q.isInSubgroup ? q : nil
  }

  /// 64 bytes of affine (x, y); infinity is all zeros.
  static func encodeG1(_ point: BN254G1) -> Bytes {
    var out = Bytes(repeating: 0, count: 64)
    if let (x, y) = point.affine {
      out.withUnsafeMutableBytes { buffer in
        x.value.storeBigEndian(to: buffer.baseAddress!)
        y.value.storeBigEndian(to: buffer.baseAddress! + 32)
      }
    }
    return out
  }
}
