/// F_p12 = F_p6[w]/(w² − v), so w⁶ = ξ: the field the ate pairing's values live in. Beside
/// the generic product it has the operations the pairing needs to be fast: multiplication
/// by sparse line values, Frobenius maps, and squaring inside the cyclotomic subgroup.
import BraidPrimitives

struct BN254Fp12: Equatable, Sendable {
  var c0: BN254Fp6
  var c1: BN254Fp6

  @inline(__always)
  init(_ c0: BN254Fp6, _ c1: BN254Fp6) {
    self.c0 = c0
    self.c1 = c1
  }

  static var one: BN254Fp12 { BN254Fp12(.one, .zero) }

  var isOne: Bool { self == .one }

  /// Karatsuba over w: three F_p6 products.
  @inline(__always)
  static func * (a: BN254Fp12, b: BN254Fp12) -> BN254Fp12 {
    let t0 = a.c0 * b.c0
    let t1 = a.c1 * b.c1
    return BN254Fp12(t0 + t1.mulByV, (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1)
  }

  /// Complex squaring: (a + bw)² = (a + b)(a + vb) − ab − v·ab + 2ab·w, two F_p6 products.
  var squared: BN254Fp12 {
    let t = c0 * c1
    return BN254Fp12((c0 + c1) * (c0 + c1.mulByV) - t - t.mulByV, t.doubled)
  }

  /// The p⁶-power Frobenius (w ↦ −w); on the cyclotomic subgroup, where every value after
  /// the easy part of the final exponentiation lies, it is the inverse.
  var conjugate: BN254Fp12 { BN254Fp12(c0, -c1) }

  /// 1/(a + bw) = (a − bw)/(a² − v·b²).
  var inverse: BN254Fp12 {
    let t = (c0.squared - c1.squared.mulByV).inverse
    return BN254Fp12(c0 * t, -(c1 * t))
  }

  /// Multiplies by a line value a0 + a1·w + a3·w³ (the shape every line of the Miller loop
  /// has on a D-type twist): 13 F_p2 products instead of 18.
  @inline(__always)
  mutating func mulBySparse(_ a0: BN254Fp2, _ a1: BN254Fp2, _ a3: BN254Fp2) {
    // In the v-basis the line is (a0, 0, 0) + (a1, a3, 0)·w.
    let t0 = c0 * a0
    let t1 = c1.mul01(a1, a3)
    let s = (c0 + c1).mul01(a0 + a1, a3)
    c1 = s - t0 - t1
    c0 = t0 + t1.mulByV
  }

  /// γ[k−1][j−1] = ξ^(j(p^k − 1)/6): w^(p^k) = w·ξ^((p^k − 1)/6), so the p^k-power
  /// Frobenius scales the coefficient of w^j by γ[k−1][j−1] after conjugating it k times.
  /// Derived from ξ^((p − 1)/6) since i^p = −i: ξ^((p² − 1)/6) = g·ḡ and
  /// ξ^((p³ − 1)/6) = g·ḡ·g.
  static let frobeniusCoefficients: [[BN254Fp2]] = {
    let g1 = BN254Fp2.nonResidue.power((BN254Fp.modulus &- UInt256(1)) / UInt256(6))
    let g2 = g1 * g1.conjugate
    let g3 = g2 * g1
    return [g1, g2, g3].map { g in
      var row = [g]
      for _ in 2...5 { row.append(row[row.count - 1] * g) }
      return row
    }
  }()

  /// The p^k-power Frobenius map, k in 1...3.
  func frobenius(_ k: Int) -> BN254Fp12 {
    let g = BN254Fp12.frobeniusCoefficients[k - 1]
    let odd = k & 1 == 1
    func f(_ x: BN254Fp2) -> BN254Fp2 { odd ? x.conjugate : x }
    // c0 holds the coefficients of w⁰, w², w⁴ and c1 those of w¹, w³, w⁵.
    return BN254Fp12(
      BN254Fp6(f(c0.c0), f(c0.c1) * g[1], f(c0.c2) * g[3]),
      BN254Fp6(f(c1.c0) * g[0], f(c1.c1) * g[2], f(c1.c2) * g[4]))
  }

  /// Granger–Scott squaring for elements of the cyclotomic subgroup ("Faster Squaring in
  /// the Cyclotomic Subgroup of Sixth Degree Extensions", 2010): viewing F_p12 as
  /// F_p4[t]/(t³ − s) with s = w³, t = w, an element A + Bt + Ct² squares to
  /// (3A² − 2Ā) + (3sC² + 2B̄)t + (3B² − 2C̄)t², six F_p2 squarings in all. Only valid
  /// after the easy part of the final exponentiation.
  var cyclotomicSquared: BN254Fp12 {
    // A = (w⁰, w³), B = (w¹, w⁴), C = (w², w⁵) as x + y·s pairs.
    let (ax, ay) = BN254Fp12.fp4Squared(c0.c0, c1.c1)
    let (bx, by) = BN254Fp12.fp4Squared(c1.c0, c0.c2)
    let (cx, cy) = BN254Fp12.fp4Squared(c0.c1, c1.c2)
    let sCx = cy.mulByNonResidue
    let w0 = (ax - c0.c0).doubled + ax
    let w3 = (ay + c1.c1).doubled + ay
    let w1 = (sCx + c1.c0).doubled + sCx
    let w4 = (cx - c0.c2).doubled + cx
    let w2 = (bx - c0.c1).doubled + bx
    let w5 = (by + c1.c2).doubled + by
    return BN254Fp12(BN254Fp6(w0, w2, w4), BN254Fp6(w1, w3, w5))
  }

  /// (x + y·s)² with s² = ξ.
  @inline(__always)
  private static func fp4Squared(_ x: BN254Fp2, _ y: BN254Fp2) -> (BN254Fp2, BN254Fp2) {
    let x2 = x.squared
    let y2 = y.squared
    return (y2.mulByNonResidue + x2, (x + y).squared - x2 - y2)
  }

  /// self^e for a cyclotomic-subgroup element, e > 0.
  func cyclotomicPower(_ e: UInt64) -> BN254Fp12 {
    var result = self
    var i = 62 - e.leadingZeroBitCount
    while i >= 0 {
      result = result.cyclotomicSquared
      if (e >> UInt64(i)) & 1 == 1 { result = result * self }
      i -= 1
    }
    return result
  }
}
