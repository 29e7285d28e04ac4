/// The optimal ate pairing on BN254, the bilinear map behind EIP-197's pairing check:
/// e(P, Q) = f_{6u+2,Q}(P) · ℓ_{[6u+2]Q, π(Q)}(P) · ℓ_{…, −π²(Q)}(P), raised to (p¹² − 1)/r.
/// Lines follow Costello, Lange and Naehrig, "Faster Pairing Computations on Curves with
/// High-Degree Twists" (2010), with the twist point in homogeneous projective coordinates
/// so the loop needs no inversion; the final exponentiation's hard part follows Scott et al.,
/// "On the Final Exponentiation for Calculating Pairings on Ordinary Elliptic Curves" (2009).
import BraidPrimitives

enum BN254Pairing {
  /// The BN parameter u: p = 36u⁴ + 36u³ + 24u² + 6u + 1 and r = 36u⁴ + 36u³ + 18u² + 6u + 1.
  static let u: UInt64 = 0x44e9_92b4_4a69_09f1

  /// 6u + 2 in non-adjacent form, most significant digit first, leading 1 dropped: 21
  /// additions in the Miller loop instead of the 36 the binary form needs.
  static let ateLoopNAF: [Int8] = {
    var n = UInt256(u) &* UInt256(6) &+ UInt256(2)
    var digits: [Int8] = []
    while !n.isZero {
      if n.w0 & 1 == 0 {
        digits.append(0)
      } else if n.w0 & 3 == 1 {
        digits.append(1)
        n = n &- UInt256(1)
      } else {
        digits.append(-1)
        n = n &+ UInt256(1)
      }
      n = n >> 1
    }
    return Array(digits.reversed().dropFirst())
  }()

  /// An input pair with neither point at infinity: P in G1, Q in G2 (affine, on the twist).
  struct Pair {
    var px: BN254Fp
    var py: BN254Fp
    var qx: BN254Fp2
    var qy: BN254Fp2
  }

  /// True when ∏ e(P_i, Q_i) = 1, the EIP-197 check. An empty product is 1.
  static func check(_ pairs: [Pair]) -> Bool {
    pairs.isEmpty || finalExponentiation(millerLoop(pairs)).isOne
  }

  // MARK: Miller loop

  /// The running point T = [k]Q on the twist, x = X/Z, y = Y/Z.
  private struct TwistPoint {
    var x: BN254Fp2
    var y: BN254Fp2
    var z: BN254Fp2
  }

  /// Doubles T and multiplies f by the tangent at T evaluated at P.
  ///
  /// On a D-type twist, Q' = (x', y') ∈ E' maps to (x'w², y'w³) ∈ E(F_p12), so a line
  /// of slope λ' through T' evaluates at P to yP − λ'·xP·w + (λ'x'_T − y'_T)·w³. For the
  /// tangent λ' = 3x²/2y; using Y²Z = X³ + b'Z³ and scaling by −2YZ ∈ F_p2 (a factor the
  /// final exponentiation removes) leaves −2YZ·yP + 3X²·xP·w + (3b'Z² − Y²)·w³.
  @inline(__always)
  private static func doublingStep(
    _ t: inout TwistPoint, _ px: BN254Fp, _ py: BN254Fp, _ threeB: BN254Fp2, _ f: inout BN254Fp12
  ) {
    let a = (t.x * t.y).halved
    let b = t.y.squared
    let c = t.z.squared
    let e = threeB * c
    let f3e = e.doubled + e
    let g = (b + f3e).halved
    let h = (t.y + t.z).squared - (b + c)
    let x2 = t.x.squared
    let e2 = e.squared
    f.mulBySparse(-(h * py), (x2.doubled + x2) * px, e - b)
    t.x = a * (b - f3e)
    t.y = g.squared - (e2.doubled + e2)
    t.z = b * h
  }

  /// Adds the affine twist point (qx, qy) to T and multiplies f by the line through them
  /// at P. With θ = Y − qy·Z and λ = X − qx·Z the slope is θ/λ; scaled by λ, the line is
  /// λ·yP − θ·xP·w + (θ·qx − λ·qy)·w³.
  @inline(__always)
  private static func additionStep(
    _ t: inout TwistPoint, _ qx: BN254Fp2, _ qy: BN254Fp2, _ px: BN254Fp, _ py: BN254Fp,
    _ f: inout BN254Fp12
  ) {
    let theta = t.y - qy * t.z
    let lambda = t.x - qx * t.z
    let c = theta.squared
    let d = lambda.squared
    let e = lambda * d
    let ff = t.z * c
    let g = t.x * d
    let h = e + ff - g.doubled
    f.mulBySparse(lambda * py, -(theta * px), theta * qx - lambda * qy)
    t.x = lambda * h
    t.y = theta * (g - h) - t.y * e
    t.z = t.z * e
  }

  /// One loop for all pairs so that they share the squarings of f.
  static func millerLoop(_ pairs: [Pair]) -> BN254Fp12 {
    let threeB = BN254Fp2.twistB.doubled + BN254Fp2.twistB
    var ts = pairs.map { TwistPoint(x: $0.qx, y: $0.qy, z: .one) }
    var f = BN254Fp12.one
    for (i, digit) in ateLoopNAF.enumerated() {
      if i > 0 { f = f.squared }
      for k in pairs.indices {
        let pair = pairs[k]
        doublingStep(&ts[k], pair.px, pair.py, threeB, &f)
        if digit == 1 {
          additionStep(&ts[k], pair.qx, pair.qy, pair.px, pair.py, &f)
        } else if digit == -1 {
          additionStep(&ts[k], pair.qx, -pair.qy, pair.px, pair.py, &f)
        }
      }
    }
    // The two closing lines of the optimal ate pairing, through π(Q) and −π²(Q), where π is
    // the p-power Frobenius carried to the twist (ψ, which keeps affine points affine).
    for k in pairs.indices {
      let pair = pairs[k]
      let q1 = BN254G2(x: pair.qx, y: pair.qy).psi
      let q2 = q1.psi.negated
      additionStep(&ts[k], q1.x, q1.y, pair.px, pair.py, &f)
      additionStep(&ts[k], q2.x, q2.y, pair.px, pair.py, &f)
    }
    return f
  }

  // MARK: Final exponentiation

  /// f^((p¹² − 1)/r), split as (p⁶ − 1)(p² + 1) · (p⁴ − p² + 1)/r.
  static func finalExponentiation(_ f: BN254Fp12) -> BN254Fp12 {
    // Easy part: after it the value lies in the cyclotomic subgroup, where the conjugate is
    // the inverse and Granger–Scott squaring applies.
    var t = f.conjugate * f.inverse
    t = t.frobenius(2) * t

    // Hard part: (p⁴ − p² + 1)/r = λ0 + λ1·p + λ2·p² + λ3·p³ with λi polynomials in u,
    // evaluated by Scott et al.'s addition chain over the powers t^u, t^u², t^u³.
    let fu = t.cyclotomicPower(u)
    let fu2 = fu.cyclotomicPower(u)
    let fu3 = fu2.cyclotomicPower(u)
    let y0 = t.frobenius(1) * t.frobenius(2) * t.frobenius(3)
    let y1 = t.conjugate
    let y2 = fu2.frobenius(2)
    let y3 = fu.frobenius(1).conjugate
    let y4 = (fu * fu2.frobenius(1)).conjugate
    let y5 = fu2.conjugate
    let y6 = (fu3 * fu3.frobenius(1)).conjugate
    var t0 = y6.cyclotomicSquared * y4 * y5
    var t1 = y3 * y5 * t0
    t0 = t0 * y2
    t1 = (t1.cyclotomicSquared * t0).cyclotomicSquared
    t0 = t1 * y1
    t1 = t1 * y0
    t0 = t0.cyclotomicSquared
    return t1 * t0
  }
}
