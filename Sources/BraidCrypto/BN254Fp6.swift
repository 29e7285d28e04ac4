/// F_p6 = F_p2[v]/(v³ − ξ), ξ = 9 + i: the middle of the pairing's tower. Formulas after
/// Devegili, Ó hÉigeartaigh, Scott and Dahab, "Multiplication and Squaring on
/// Pairing-Friendly Fields" (2006).

struct BN254Fp6: Equatable, Sendable {
  var c0: BN254Fp2
  var c1: BN254Fp2
  var c2: BN254Fp2

  @inline(__always)
  init(_ c0: BN254Fp2, _ c1: BN254Fp2, _ c2: BN254Fp2) {
    self.c0 = c0
    self.c1 = c1
    self.c2 = c2
  }

  static var zero: BN254Fp6 { BN254Fp6(.zero, .zero, .zero) }
  static var one: BN254Fp6 { BN254Fp6(.one, .zero, .zero) }

  @inline(__always)
  static func + (a: BN254Fp6, b: BN254Fp6) -> BN254Fp6 { BN254Fp6(a.c0 + b.c0, a.c1 + b.c1, a.c2 + b.c2) }

  @inline(__always)
  static func - (a: BN254Fp6, b: BN254Fp6) -> BN254Fp6 { BN254Fp6(a.c0 - b.c0, a.c1 - b.c1, a.c2 - b.c2) }

  @inline(__always)
  static prefix func - (a: BN254Fp6) -> BN254Fp6 { BN254Fp6(-a.c0, -a.c1, -a.c2) }

  @inline(__always) var doubled: BN254Fp6 { BN254Fp6(c0.doubled, c1.doubled, c2.doubled) }

  /// Karatsuba over three coefficients: six F_p2 multiplications instead of nine.
  @inline(__always)
  static func * (a: BN254Fp6, b: BN254Fp6) -> BN254Fp6 {
    let t0 = a.c0 * b.c0
    let t1 = a.c1 * b.c1
    let t2 = a.c2 * b.c2
    let c0 = ((a.c1 + a.c2) * (b.c1 + b.c2) - t1 - t2).mulByNonResidue + t0
    let c1 = (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1 + t2.mulByNonResidue
    let c2 = (a.c0 + a.c2) * (b.c0 + b.c2) - t0 - t2 + t1
    return BN254Fp6(c0, c1, c2)
  }

  @inline(__always)
  static func * (a: BN254Fp6, b: BN254Fp2) -> BN254Fp6 { BN254Fp6(a.c0 * b, a.c1 * b, a.c2 * b) }

  /// Chung–Hasan SQR2: three F_p2 squarings and two multiplications instead of six
  /// multiplications.
  @inline(__always)
  var squared: BN254Fp6 {
    let s0 = c0.squared
    let s1 = (c0 * c1).doubled
    let s2 = (c0 - c1 + c2).squared
    let s3 = (c1 * c2).doubled
    let s4 = c2.squared
    return BN254Fp6(s0 + s3.mulByNonResidue, s1 + s4.mulByNonResidue, s1 + s2 + s3 - s0 - s4)
  }

  /// Multiplication by v shifts the coefficients and wraps the top one through v³ = ξ.
  @inline(__always)
  var mulByV: BN254Fp6 { BN254Fp6(c2.mulByNonResidue, c0, c1) }

  /// Product with the sparse b0 + b1·v (no v² term), as line functions produce: five
  /// F_p2 multiplications.
  @inline(__always)
  func mul01(_ b0: BN254Fp2, _ b1: BN254Fp2) -> BN254Fp6 {
    let t0 = c0 * b0
    let t1 = c1 * b1
    let r0 = ((c1 + c2) * b1 - t1).mulByNonResidue + t0
    let r1 = (c0 + c1) * (b0 + b1) - t0 - t1
    let r2 = (c0 + c2) * b0 - t0 + t1
    return BN254Fp6(r0, r1, r2)
  }

  /// Inversion through the norm to F_p2 (one F_p2 inversion).
  var inverse: BN254Fp6 {
    let a = c0.squared - (c1 * c2).mulByNonResidue
    let b = c2.squared.mulByNonResidue - c0 * c1
    let c = c1.squared - c0 * c2
    let f = c0 * a + (c2 * b + c1 * c).mulByNonResidue
    let fInv = f.inverse
    return BN254Fp6(a * fInv, b * fInv, c * fInv)
  }
}
