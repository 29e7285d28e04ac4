/// Points of y² = x³ + b in Jacobian coordinates (x = X/Z², y = Y/Z³), written once for G1
/// over F_p (b = 3, EIP-196) and the G2 twist over F_p2 (b = 3/ξ, EIP-197). Jacobian
/// coordinates keep inversions out of the group law; only the final affine output pays one.
import BraidPrimitives

struct BN254Jacobian<F: BN254Field>: Sendable {
  var x: F
  var y: F
  var z: F

  @inline(__always)
  init(x: F, y: F, z: F) {
    self.x = x
    self.y = y
    self.z = z
  }

  /// An affine point; the caller has checked that it is on the curve.
  init(x: F, y: F) { self.init(x: x, y: y, z: .one) }

  static var infinity: BN254Jacobian { BN254Jacobian(x: .one, y: .one, z: .zero) }

  var isInfinity: Bool { z.isZero }

  static func isOnCurve(x: F, y: F) -> Bool { y.squared == x.squared * x + F.curveB }

  /// (x, y), or nil for the point at infinity.
  var affine: (x: F, y: F)? {
    guard !isInfinity else { return nil }
    let zInv = z.inverse
    let zInv2 = zInv.squared
    return (x * zInv2, y * zInv2 * zInv)
  }

  var negated: BN254Jacobian { BN254Jacobian(x: x, y: -y, z: z) }

  /// dbl-2009-l (a = 0) from the Explicit-Formulas Database. A point with y = 0 would need
  /// care, but neither group has points of order 2.
  var doubled: BN254Jacobian {
    let a = x.squared
    let b = y.squared
    let c = b.squared
    let d = ((x + b).squared - a - c).doubled
    let e = a.doubled + a
    let x3 = e.squared - d.doubled
    let y3 = e * (d - x3) - c.doubled.doubled.doubled
    return BN254Jacobian(x: x3, y: y3, z: (y * z).doubled)
  }

  /// add-2007-bl, plus the cases its formula cannot take: an operand at infinity, equal
  /// points (doubling) and opposite points (infinity), all reachable from precompile input.
  static func + (p: BN254Jacobian, q: BN254Jacobian) -> BN254Jacobian {
    if p.isInfinity { return q }
    if q.isInfinity { return p }
    let z1z1 = p.z.squared
    let z2z2 = q.z.squared
    let u1 = p.x * z2z2
    let u2 = q.x * z1z1
    let s1 = p.y * q.z * z2z2
    let s2 = q.y * p.z * z1z1
    let h = u2 - u1
    let sDiff = s2 - s1
    if h.isZero { return sDiff.isZero ? p.doubled : .infinity }
    let i = h.doubled.squared
    let j = h * i
    let r = sDiff.doubled
    let v = u1 * i
    let x3 = r.squared - j - v.doubled
    let y3 = r * (v - x3) - (s1 * j).doubled
    let z3 = ((p.z + q.z).squared - z1z1 - z2z2) * h
    return BN254Jacobian(x: x3, y: y3, z: z3)
  }

  /// k·P with a fixed 4-bit window: 255 doublings and at most 64 additions (plus 14 for
  /// the table) where double-and-add needs up to 256 additions. All inputs are public, so
  /// there is no need for a constant-time ladder; k is any 256-bit value, as EIP-196 allows.
  func multiplied(by k: UInt256) -> BN254Jacobian {
    if k.isZero || isInfinity { return .infinity }
    return withUnsafeTemporaryAllocation(of: BN254Jacobian.self, capacity: 16) { table in
      table.initialize(repeating: .infinity)
      table[1] = self
      for i in 2..<16 { table[i] = i & 1 == 0 ? table[i >> 1].doubled : table[i - 1] + self }
      func nibble(_ i: Int) -> Int { Int(truncatingIfNeeded: k[limb: i >> 4] >> UInt64((i & 15) << 2)) & 15 }
      var i = (k.bitWidth - 1) >> 2
      var result = table[nibble(i)]
      i -= 1
      while i >= 0 {
        result = result.doubled.doubled.doubled.doubled
        let d = nibble(i)
        if d != 0 { result = result + table[d] }
        i -= 1
      }
      return result
    }
  }
}

extension BN254Jacobian: Equatable {
  /// Projective equality: X1·Z2² = X2·Z1² and Y1·Z2³ = Y2·Z1³.
  static func == (p: BN254Jacobian, q: BN254Jacobian) -> Bool {
    if p.isInfinity || q.isInfinity { return p.isInfinity && q.isInfinity }
    let z1z1 = p.z.squared
    let z2z2 = q.z.squared
    return p.x * z2z2 == q.x * z1z1 && p.y * z2z2 * q.z == q.y * z1z1 * p.z
  }
}

typealias BN254G1 = BN254Jacobian<BN254Fp>
typealias BN254G2 = BN254Jacobian<BN254Fp2>

extension BN254Jacobian where F == BN254Fp2 {
  /// ψ = untwist ∘ Frobenius ∘ twist: (x, y) ↦ (x̄·ξ^((p−1)/3), ȳ·ξ^((p−1)/2)). On G2 it
  /// acts as multiplication by p; in Jacobian coordinates Z is conjugated along.
  var psi: BN254Jacobian {
    let gamma = BN254Fp12.frobeniusCoefficients[0]
    return BN254Jacobian(x: x.conjugate * gamma[1], y: y.conjugate * gamma[2], z: z.conjugate)
  }

  /// EIP-197 requires G2 inputs to lie in the order-r subgroup; the twist's full group is
  /// larger (its cofactor is 2p − r), so being on the curve is not enough. Instead of
  /// r·Q = O (a 254-bit multiplication) this checks [u+1]Q + ψ([u]Q) + ψ²([u]Q) = ψ³([2u]Q),
  /// a 63-bit one, which characterises the subgroup because u ≢ 4 (mod 13) and
  /// u ≢ 92 (mod 97) (Dai, Lin, Zhao, Zhou, "Fast subgroup membership testings for G1, G2 and
  /// GT on pairing-friendly curves", 2022; see also Sanso and Liang on ethresear.ch).
  var isInSubgroup: Bool {
    let uQ = multiplied(by: UInt256(BN254Pairing.u))
    let uQPsi = uQ.psi
    return self + uQ + uQPsi + uQPsi.psi == uQ.doubled.psi.psi.psi
  }
}
