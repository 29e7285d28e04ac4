/// F_p2 = F_p[i]/(i² + 1): the field of the G2 twist's coordinates (EIP-197) and the base
/// of the F_p6 and F_p12 towers the pairing lands in.

struct BN254Fp2: Equatable, Sendable {
  /// The real part.
  var c0: BN254Fp
  /// The coefficient of i.
  var c1: BN254Fp

  @inline(__always)
  init(_ c0: BN254Fp, _ c1: BN254Fp) {
    self.c0 = c0
    self.c1 = c1
  }

  static var zero: BN254Fp2 { BN254Fp2(.zero, .zero) }
  static var one: BN254Fp2 { BN254Fp2(.one, .zero) }

  @inline(__always) var isZero: Bool { c0.isZero && c1.isZero }

  @inline(__always)
  static func + (a: BN254Fp2, b: BN254Fp2) -> BN254Fp2 { BN254Fp2(a.c0 + b.c0, a.c1 + b.c1) }

  @inline(__always)
  static func - (a: BN254Fp2, b: BN254Fp2) -> BN254Fp2 { BN254Fp2(a.c0 - b.c0, a.c1 - b.c1) }

  @inline(__always)
  static prefix func - (a: BN254Fp2) -> BN254Fp2 { BN254Fp2(-a.c0, -a.c1) }

  @inline(__always) static func += (a: inout BN254Fp2, b: BN254Fp2) { a = a + b }
  @inline(__always) static func -= (a: inout BN254Fp2, b: BN254Fp2) { a = a - b }
  @inline(__always) static func *= (a: inout BN254Fp2, b: BN254Fp2) { a = a * b }

  @inline(__always) var doubled: BN254Fp2 { BN254Fp2(c0.doubled, c1.doubled) }
  @inline(__always) var halved: BN254Fp2 { BN254Fp2(c0.halved, c1.halved) }

  /// Karatsuba: three base multiplications instead of four.
  @inline(__always)
  static func * (a: BN254Fp2, b: BN254Fp2) -> BN254Fp2 {
    let t0 = a.c0 * b.c0
    let t1 = a.c1 * b.c1
    let t2 = (a.c0 + a.c1) * (b.c0 + b.c1)
    return BN254Fp2(t0 - t1, t2 - t0 - t1)
  }

  @inline(__always)
  static func * (a: BN254Fp2, b: BN254Fp) -> BN254Fp2 { BN254Fp2(a.c0 * b, a.c1 * b) }

  /// (a + bi)² = (a + b)(a − b) + 2ab·i: two multiplications.
  @inline(__always)
  var squared: BN254Fp2 {
    let t = c0 * c1
    return BN254Fp2((c0 + c1) * (c0 - c1), t.doubled)
  }

  /// Multiplication by ξ = 9 + i, the non-residue that builds F_p6 (v³ = ξ) and defines
  /// the twist; done with additions because ξ is small.
  @inline(__always)
  var mulByNonResidue: BN254Fp2 {
    let a8 = c0.doubled.doubled.doubled
    let b8 = c1.doubled.doubled.doubled
    return BN254Fp2(a8 + c0 - c1, b8 + c1 + c0)
  }

  /// The p-power Frobenius on F_p2, since i^p = −i for p ≡ 3 mod 4.
  @inline(__always) var conjugate: BN254Fp2 { BN254Fp2(c0, -c1) }

  /// 1/(a + bi) = (a − bi)/(a² + b²).
  var inverse: BN254Fp2 {
    let n = (c0.squared + c1.squared).inverse
    return BN254Fp2(c0 * n, -(c1 * n))
  }

  /// ξ = 9 + i.
  static var nonResidue: BN254Fp2 { BN254Fp2(BN254Fp(9), BN254Fp(1)) }

  /// The twist E': y² = x³ + 3/ξ (a D-type sextic twist of G1's curve) that carries G2.
  static let twistB = BN254Fp2(BN254Fp(3), .zero) * nonResidue.inverse
  static var curveB: BN254Fp2 { twistB }
}

extension BN254Fp2: BN254Field {}
