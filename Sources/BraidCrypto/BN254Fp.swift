/// The base field F_p of the alt_bn128 curve (EIP-196/197), in Montgomery form on four
/// 64-bit limbs. Every pairing costs tens of thousands of field multiplications, so the
/// element is a plain struct (no heap) and the hot operations are forced inline.
import BraidPrimitives

/// An element of F_p, p = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47,
/// stored as a·2^256 mod p, always fully reduced, so limb equality is field equality.
struct BN254Fp: Equatable, Sendable {
  var l0: UInt64
  var l1: UInt64
  var l2: UInt64
  var l3: UInt64

  @inline(__always)
  init(l0: UInt64, l1: UInt64, l2: UInt64, l3: UInt64) {
    self.l0 = l0
    self.l1 = l1
    self.l2 = l2
    self.l3 = l3
  }

  static let modulus = UInt256(
    w0: 0x3c20_8c16_d87c_fd47, w1: 0x9781_6a91_6871_ca8d,
    w2: 0xb850_45b6_8181_585d, w3: 0x3064_4e72_e131_a029)

  // The modulus limbs, -p^-1 mod 2^64 and 2^512 mod p drive the Montgomery reduction.
  static let p0: UInt64 = 0x3c20_8c16_d87c_fd47
  static let p1: UInt64 = 0x9781_6a91_6871_ca8d
  static let p2: UInt64 = 0xb850_45b6_8181_585d
  static let p3: UInt64 = 0x3064_4e72_e131_a029
  static let pInv: UInt64 = 0x87d2_0782_e486_6389
  static var r2: BN254Fp {
    BN254Fp(l0: 0xf32c_fc5b_538a_fa89, l1: 0xb5e7_1911_d445_01fb, l2: 0x47ab_1eff_0a41_7ff6, l3: 0x06d8_9f71_cab8_351f)
  }

  static var zero: BN254Fp { BN254Fp(l0: 0, l1: 0, l2: 0, l3: 0) }
  /// 1 in Montgomery form, i.e. 2^256 mod p.
  static var one: BN254Fp {
    BN254Fp(l0: 0xd35d_438d_c58f_0d9d, l1: 0x0a78_eb28_f5c7_0b3d, l2: 0x666e_a36f_7879_462c, l3: 0x0e0a_77c1_9a07_df2f)
  }

  @inline(__always) var isZero: Bool { (l0 | l1 | l2 | l3) == 0 }

  /// Converts a canonical integer; nil when it is not below p, which EIP-196 makes an error.
  init?(_ v: UInt256) {
    guard v < BN254Fp.modulus else { return nil }
    self = BN254Fp(l0: v.w0, l1: v.w1, l2: v.w2, l3: v.w3) * BN254Fp.r2
  }

  /// Small constants for tests and curve coefficients.
  init(_ v: UInt64) { self.init(UInt256(v))! }

  /// The canonical integer (out of Montgomery form: multiply by plain 1).
  var value: UInt256 {
    let v = self * BN254Fp(l0: 1, l1: 0, l2: 0, l3: 0)
    return UInt256(w0: v.l0, w1: v.l1, w2: v.l2, w3: v.l3)
  }

  // MARK: Arithmetic

  /// Subtracts p once when the value is not below it; inputs are below 2p.
  @inline(__always)
  mutating func reduceOnce() {
    let (d0, b0) = sbb(l0, BN254Fp.p0, 0)
    let (d1, b1) = sbb(l1, BN254Fp.p1, b0)
    let (d2, b2) = sbb(l2, BN254Fp.p2, b1)
    let (d3, b3) = sbb(l3, BN254Fp.p3, b2)
    if b3 == 0 { self = BN254Fp(l0: d0, l1: d1, l2: d2, l3: d3) }
  }

  /// p < 2^254, so the sum of two reduced values cannot carry out of 256 bits.
  @inline(__always)
  static func + (a: BN254Fp, b: BN254Fp) -> BN254Fp {
    let (s0, c0) = adc(a.l0, b.l0, 0)
    let (s1, c1) = adc(a.l1, b.l1, c0)
    let (s2, c2) = adc(a.l2, b.l2, c1)
    let (s3, _) = adc(a.l3, b.l3, c2)
    var r = BN254Fp(l0: s0, l1: s1, l2: s2, l3: s3)
    r.reduceOnce()
    return r
  }

  @inline(__always)
  static func - (a: BN254Fp, b: BN254Fp) -> BN254Fp {
    let (d0, b0) = sbb(a.l0, b.l0, 0)
    let (d1, b1) = sbb(a.l1, b.l1, b0)
    let (d2, b2) = sbb(a.l2, b.l2, b1)
    let (d3, b3) = sbb(a.l3, b.l3, b2)
    if b3 == 0 { return BN254Fp(l0: d0, l1: d1, l2: d2, l3: d3) }
    let (e0, c0) = adc(d0, BN254Fp.p0, 0)
    let (e1, c1) = adc(d1, BN254Fp.p1, c0)
    let (e2, c2) = adc(d2, BN254Fp.p2, c1)
    let (e3, _) = adc(d3, BN254Fp.p3, c2)
    return BN254Fp(l0: e0, l1: e1, l2: e2, l3: e3)
  }

  @inline(__always)
  static prefix func - (a: BN254Fp) -> BN254Fp { a.isZero ? a : BN254Fp.zero - a }

  @inline(__always) static func += (a: inout BN254Fp, b: BN254Fp) { a = a + b }
  @inline(__always) static func -= (a: inout BN254Fp, b: BN254Fp) { a = a - b }
  @inline(__always) static func *= (a: inout BN254Fp, b: BN254Fp) { a = a * b }

  @inline(__always) var doubled: BN254Fp { self + self }

  /// self/2: add p to an odd value (the sum stays below 2^255), then shift. Halving the
  /// Montgomery form halves the element, since the map a ↦ aR is linear.
  @inline(__always)
  var halved: BN254Fp {
    var (a0, a1, a2, a3) = (l0, l1, l2, l3)
    if a0 & 1 == 1 {
      var c: UInt64
      (a0, c) = adc(a0, BN254Fp.p0, 0)
      (a1, c) = adc(a1, BN254Fp.p1, c)
      (a2, c) = adc(a2, BN254Fp.p2, c)
      (a3, _) = adc(a3, BN254Fp.p3, c)
    }
    return BN254Fp(
      l0: a0 >> 1 | a1 << 63, l1: a1 >> 1 | a2 << 63, l2: a2 >> 1 | a3 << 63, l3: a3 >> 1)
  }
  @inline(__always) var squared: BN254Fp { self * self }

  /// One round of CIOS Montgomery multiplication: t = (t + a·bi + m·p) / 2^64.
  /// The top limb of p is below 2^62, so the running sum fits in four limbs plus the
  /// carry of this round and needs no fifth word (the "no-carry" variant).
  @inline(__always)
  static func montRound(
    _ t0: inout UInt64, _ t1: inout UInt64, _ t2: inout UInt64, _ t3: inout UInt64,
    _ a: BN254Fp, _ bi: UInt64
  ) {
    var c: UInt64
    (c, t0) = madd(a.l0, bi, t0, 0)
    (c, t1) = madd(a.l1, bi, t1, c)
    (c, t2) = madd(a.l2, bi, t2, c)
    (c, t3) = madd(a.l3, bi, t3, c)
    let high = c
    let m = t0 &* pInv
    (c, _) = madd(m, p0, t0, 0)
    (c, t0) = madd(m, p1, t1, c)
    (c, t1) = madd(m, p2, t2, c)
    (c, t2) = madd(m, p3, t3, c)
    t3 = high &+ c
  }

  /// Montgomery product a·b·2^-256 mod p.
  @inline(__always)
  static func * (a: BN254Fp, b: BN254Fp) -> BN254Fp {
    var t0: UInt64 = 0
    var t1: UInt64 = 0
    var t2: UInt64 = 0
    var t3: UInt64 = 0
    montRound(&t0, &t1, &t2, &t3, a, b.l0)
    montRound(&t0, &t1, &t2, &t3, a, b.l1)
    montRound(&t0, &t1, &t2, &t3, a, b.l2)
    montRound(&t0, &t1, &t2, &t3, a, b.l3)
    var r = BN254Fp(l0: t0, l1: t1, l2: t2, l3: t3)
    r.reduceOnce()
    return r
  }

  /// Binary extended Euclid (Hankerson, Menezes, Vanstone, "Guide to Elliptic Curve
  /// Cryptography", Alg. 2.22), several times faster than Fermat's a^(p−2). Run on the stored
  /// value aR it yields (aR)⁻¹; one Montgomery product with R³ turns that into a⁻¹R.
  /// Zero maps to zero; callers never invert zero.
  var inverse: BN254Fp {
    if isZero { return self }
    // Invariants: x1·aR ≡ u and x2·aR ≡ v (mod p). Halving and subtraction mod p do not
    // care that x1, x2 are plain residues rather than Montgomery forms.
    var u = UInt256(w0: l0, w1: l1, w2: l2, w3: l3)
    var v = BN254Fp.modulus
    var x1 = BN254Fp(l0: 1, l1: 0, l2: 0, l3: 0)
    var x2 = BN254Fp.zero
    while u != .one && v != .one {
      while u.w0 & 1 == 0 {
        u = u >> 1
        x1 = x1.halved
      }
      while v.w0 & 1 == 0 {
        v = v >> 1
        x2 = x2.halved
      }
      if u >= v {
        u = u &- v
        x1 -= x2
      } else {
        v = v &- u
        x2 -= x1
      }
    }
    return (u == .one ? x1 : x2) * (BN254Fp.r2 * BN254Fp.r2)
  }

  /// y² = x³ + 3 is G1's curve.
  static var curveB: BN254Fp { BN254Fp(3) }
}

/// What the shared group-law and exponentiation code needs from F_p and F_p2, so that G1
/// and the G2 twist run one implementation of each formula.
protocol BN254Field: Equatable, Sendable {
  static var zero: Self { get }
  static var one: Self { get }
  var isZero: Bool { get }
  var doubled: Self { get }
  var squared: Self { get }
  var inverse: Self { get }
  static func + (a: Self, b: Self) -> Self
  static func - (a: Self, b: Self) -> Self
  static prefix func - (a: Self) -> Self
  static func * (a: Self, b: Self) -> Self
  /// The b of the curve y² = x³ + b over this field: 3 for G1, 3/ξ for the G2 twist.
  static var curveB: Self { get }
}

extension BN254Field {
  /// self^e by square-and-multiply; used for one-time constants and tests only.
  func power(_ e: UInt256) -> Self {
    var result = Self.one
    var i = e.bitWidth - 1
    while i >= 0 {
      result = result.squared
      if (e[limb: i >> 6] >> UInt64(i & 63)) & 1 == 1 { result = result * self }
      i -= 1
    }
    return result
  }
}

extension BN254Fp: BN254Field {}

/// (high, low) of a·b + c + d, which cannot overflow 128 bits.
@inline(__always)
private func madd(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) -> (UInt64, UInt64) {
  let (hi, lo) = a.multipliedFullWidth(by: b)
  let (s1, o1) = lo.addingReportingOverflow(c)
  let (s2, o2) = s1.addingReportingOverflow(d)
  return (hi &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0), s2)
}

/// Add with carry in and out (carries are 0 or 1).
@inline(__always)
private func adc(_ a: UInt64, _ b: UInt64, _ carry: UInt64) -> (UInt64, UInt64) {
  let (s1, o1) = a.addingReportingOverflow(b)
  let (s2, o2) = s1.addingReportingOverflow(carry)
  return (s2, (o1 ? 1 : 0) | (o2 ? 1 : 0))
}

/// Subtract with borrow in and out (borrows are 0 or 1).
@inline(__always)
private func sbb(_ a: UInt64, _ b: UInt64, _ borrow: UInt64) -> (UInt64, UInt64) {
  let (d1, o1) = a.subtractingReportingOverflow(b)
  let (d2, o2) = d1.subtractingReportingOverflow(borrow)
  return (d2, (o1 ? 1 : 0) | (o2 ? 1 : 0))
}
