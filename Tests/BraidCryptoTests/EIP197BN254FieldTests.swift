/// The field tower and maps under EIP-197's pairing: F_p Montgomery arithmetic, inverses at
/// each level, Frobenius consistency, the cyclotomic squaring shortcut and the twist's
/// Frobenius, each checked against a slower or more basic route to the same value.
@testable import BraidCrypto
import BraidPrimitives
import Testing

@Suite struct EIP197BN254FieldTests {
  static let a = BN254Fp(UInt256(w0: 0x1234_5678_9abc_def0, w1: 0x0fed_cba9_8765_4321, w2: 0xdead_beef, w3: 0x1234_5678))!
  static let b = BN254Fp(UInt256(w0: 0xffff_ffff_ffff_fff1, w1: 3, w2: 0xffff_0000_ffff_0000, w3: 0x3000_0000_0000_0000))!
  static let pMinus1 = BN254Fp.modulus &- UInt256(1)

  static var fp2: BN254Fp2 { BN254Fp2(a, b) }
  static var fp6: BN254Fp6 { BN254Fp6(fp2, fp2.squared + .one, fp2 * fp2.conjugate) }
  static var fp12: BN254Fp12 { BN254Fp12(fp6, fp6.squared.mulByV) }

  @Test func montgomeryRoundTripAndRange() {
    #expect(Self.a.value == UInt256(w0: 0x1234_5678_9abc_def0, w1: 0x0fed_cba9_8765_4321, w2: 0xdead_beef, w3: 0x1234_5678))
    #expect(BN254Fp(BN254Fp.modulus) == nil)
    #expect(BN254Fp(Self.pMinus1)?.value == Self.pMinus1)
    #expect(BN254Fp(Self.pMinus1)! + BN254Fp(2) == BN254Fp.one)
    #expect(BN254Fp.zero - BN254Fp.one == BN254Fp(Self.pMinus1))
  }

  @Test func fpArithmeticAgreesWithIntegerArithmetic() {
    let (x, y) = (Self.a.value, Self.b.value)
    let p = BN254Fp.modulus
    #expect((Self.a * Self.b).value == UInt256.mulMod(x, y, p))
    #expect((Self.a + Self.b).value == UInt256.addMod(x, y, p))
    #expect((Self.a - Self.b).value == UInt256.addMod(x, p &- y, p))
    #expect((-Self.a).value == p &- x)
    #expect(Self.a.halved.doubled == Self.a)
    #expect(Self.b.halved.doubled == Self.b)
    // The largest element squared exercises every carry of the Montgomery rounds.
    let m = BN254Fp(Self.pMinus1)!
    #expect(m * m == BN254Fp.one)
  }

  /// The binary-Euclid inverse agrees with Fermat's a^(p−2), including at the extremes.
  @Test func fpInverseMatchesFermat() {
    let values = [BN254Fp.one, BN254Fp(2), BN254Fp(Self.pMinus1)!, Self.a, Self.b, Self.a * Self.b, Self.b.halved]
    for x in values {
      #expect(x.inverse == x.power(BN254Fp.modulus &- UInt256(2)))
      #expect(x * x.inverse == .one)
    }
    #expect(BN254Fp.zero.inverse == .zero)
  }

  @Test func inversesAtEveryLevel() {
    #expect(Self.a * Self.a.inverse == .one)
    #expect(Self.fp2 * Self.fp2.inverse == .one)
    #expect(Self.fp6 * Self.fp6.inverse == .one)
    #expect(Self.fp12 * Self.fp12.inverse == .one)
  }

  @Test func squaringsMatchProducts() {
    #expect(Self.fp2.squared == Self.fp2 * Self.fp2)
    #expect(Self.fp6.squared == Self.fp6 * Self.fp6)
    #expect(Self.fp12.squared == Self.fp12 * Self.fp12)
  }

  @Test func sparseProductsMatchDenseProducts() {
    let (a0, a1, a3) = (Self.fp2, Self.fp2.squared, Self.fp2 + .one)
    let line = BN254Fp12(BN254Fp6(a0, .zero, .zero), BN254Fp6(a1, a3, .zero))
    var f = Self.fp12
    f.mulBySparse(a0, a1, a3)
    #expect(f == Self.fp12 * line)
    #expect(Self.fp6.mul01(a0, a1) == Self.fp6 * BN254Fp6(a0, a1, .zero))
  }

  @Test func frobeniusMapsCompose() {
    let f = Self.fp12
    #expect(f.frobenius(1).frobenius(1) == f.frobenius(2))
    #expect(f.frobenius(2).frobenius(1) == f.frobenius(3))
    #expect(f.frobenius(3).frobenius(3) == f.conjugate)
    // It is a field automorphism.
    let g = BN254Fp12(f.c1, f.c0.mulByV)
    #expect((f * g).frobenius(1) == f.frobenius(1) * g.frobenius(1))
  }

  @Test func cyclotomicSquaringMatchesSquaringAfterTheEasyPart() {
    var t = Self.fp12.conjugate * Self.fp12.inverse
    t = t.frobenius(2) * t
    #expect(t.cyclotomicSquared == t.squared)
    #expect(t.cyclotomicPower(5) == t.squared.squared * t)
    #expect((t * t.conjugate).isOne)
  }

  @Test func twistFrobeniusConstants() {
    let gamma = BN254Fp12.frobeniusCoefficients
    // ξ^((p² − 1)/2) = −1, which lets −π²(Q) keep y unchanged.
    #expect(gamma[1][2] == -BN254Fp2.one)
    #expect(BN254Fp2.twistB * BN254Fp2.nonResidue == BN254Fp2(BN254Fp(3), .zero))
  }

  @Test func twistFrobeniusActsAsMultiplicationByP() throws {
    let raw = bn254Hex(BN254TestPoints.g2)
    let q = try #require(raw.withUnsafeBytes { BN254.decodeG2($0.baseAddress!) })
    let pi = q.psi
    #expect(BN254G2.isOnCurve(x: pi.x, y: pi.y))
    #expect(pi == q.multiplied(by: BN254Fp.modulus))
    let q5 = q.multiplied(by: UInt256(5))
    #expect(q5.psi == pi.multiplied(by: UInt256(5)))
  }

  @Test func ateLoopDigitsEncodeSixUPlusTwo() {
    var n = UInt256(1)
    for digit in BN254Pairing.ateLoopNAF {
      n = n &+ n
      if digit == 1 { n = n &+ UInt256(1) } else if digit == -1 { n = n &- UInt256(1) }
    }
    #expect(n == UInt256(BN254Pairing.u) &* UInt256(6) &+ UInt256(2))
    #expect(BN254Pairing.ateLoopNAF.filter { $0 != 0 }.count == 21)
  }
}
