import BraidPrimitives
import Testing

/// Known answers for the EVM word operations, checked against values computed with
/// Python's arbitrary-precision integers.
struct UInt256ArithmeticTests {
  func u(_ s: String) -> UInt256 { try! UInt256(parsing: s) }
  let max = UInt256.max
  let minSigned = try! UInt256(parsing: "0x8000000000000000000000000000000000000000000000000000000000000000")

  @Test func parsingAndPrinting() throws {
    #expect(u("0x0") == .zero)
    #expect(u("255") == UInt256(255))
    #expect(u("0xff").description == "0xff")
    #expect(UInt256.zero.description == "0x0")
    #expect(u("0x000001").description == "0x1")
    #expect(throws: HexError.self) { try UInt256(parsing: "0x" + String(repeating: "f", count: 65)) }
    #expect(throws: HexError.self) { try UInt256(parsing: "12a") }
    #expect(u("115792089237316195423570985008687907853269984665640564039457584007913129639935") == max)
  }

  @Test func addSubWrap() {
    #expect(max &+ .one == .zero)
    #expect(UInt256.zero &- .one == max)
    #expect(u("0xffffffffffffffff") &+ .one == u("0x10000000000000000"))
    #expect(u("0x10000000000000000") &- .one == u("0xffffffffffffffff"))
    #expect(max.addingReportingOverflow(.one).overflow)
    #expect(!u("5").subtractingReportingOverflow(u("5")).overflow)
  }

  @Test func multiply() {
    #expect(u("0xffffffffffffffff") &* u("0xffffffffffffffff") == u("0xfffffffffffffffe0000000000000001"))
    #expect(max &* max == .one)
    #expect(max &* u("2") == max &- .one)
    let a = u("0x1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef")
    let b = u("0xfedcba0987654321fedcba0987654321")
    #expect(a &* b == u("0xa8d3c8611190a64da8d3c8611190a64d96b428606e1e6bf5c24a442fe55618cf"))
    #expect(a.multipliedReportingOverflow(by: b).overflow)
  }

  @Test func divideAndModulo() {
    #expect(u("10") / .zero == .zero)
    #expect(u("10") % .zero == .zero)
    #expect(max / u("3") == u("0x5555555555555555555555555555555555555555555555555555555555555555"))
    let a = u("0x1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef")
    let b = u("0xfedcba0987654321fedcba0987654321")
    #expect(a / b == u("0x1249249c805663c40aa756c82221daf0"))
    #expect(a % b == u("0xd73617d5d51c4ff0d73617d5d51c4ff"))
    let c = u("0xffffffffffffffff0000000000000000ffffffffffffffff")
    let d = u("0xffffffffffffffff00000000000000010000000000000000")
    #expect(c / d == .zero)
    #expect(d / c == .one)
    #expect(d % c == .one)
    // Exercise the add-back step of Knuth D.
    let e = u("0x8000000000000000000000000000000000000000000000000000000000000000")
    let f = u("0x800000000000000000000000000000000000000000000001")
    #expect(e / f == u("0xffffffffffffffff"))
    #expect(e % f == u("0x7fffffffffffffffffffffffffffffff0000000000000001"))
  }

  @Test func signedOperations() {
    let minusOne = max
    let minusTwo = max &- .one
    #expect(u("10").signedDivided(by: minusTwo) == UInt256.zero &- u("5"))
    #expect(minSigned.signedDivided(by: minusOne) == minSigned)
    #expect((UInt256.zero &- u("7")).signedRemainder(dividingBy: u("3")) == UInt256.zero &- .one)
    #expect(u("7").signedRemainder(dividingBy: UInt256.zero &- u("3")) == .one)
    #expect(minusOne.signedLess(than: .zero))
    #expect(!UInt256.zero.signedLess(than: minusOne))
  }

  @Test func addModMulMod() {
    #expect(UInt256.addMod(max, max, u("7")) == u("2"))  // (2^257 - 2) mod 7
    #expect(UInt256.addMod(max, .one, .zero) == .zero)
    #expect(UInt256.mulMod(max, max, u("12")) == u("9"))
    #expect(UInt256.mulMod(max, max, max) == .zero)
    let n = u("0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f")
    #expect(UInt256.mulMod(max, u("0x123456789"), n) == u("0x123456bdf789aba50"))
  }

  @Test func exponent() {
    #expect(u("2").power(u("255")) == minSigned)
    #expect(u("2").power(u("256")) == .zero)
    #expect(u("3").power(.zero) == .one)
    #expect(u("3").power(u("100")) == u("0x5a4653ca673768565b41f775d6947d55cf3813d1"))
  }

  @Test func shiftsAndBytes() {
    #expect(UInt256.one << 255 == minSigned)
    #expect(minSigned >> 255 == .one)
    #expect(max >> 256 == .zero)
    #expect(u("0xff") << 68 == u("0xff00000000000000000"))
    #expect(minSigned.arithmeticShiftedRight(by: u("255")) == max)
    #expect(minSigned.arithmeticShiftedRight(by: u("300")) == max)
    #expect(u("0x4000").arithmeticShiftedRight(by: u("4")) == u("0x400"))
    #expect(u("0xff00").byte(at: u("30")) == u("0xff"))
    #expect(u("0xff00").byte(at: u("32")) == .zero)
    #expect(minSigned.byte(at: .zero) == u("0x80"))
  }

  @Test func signExtend() {
    #expect(u("0xff").signExtended(fromByte: .zero) == max)
    #expect(u("0x7f").signExtended(fromByte: .zero) == u("0x7f"))
    #expect(u("0x18000").signExtended(fromByte: .one) == max &- u("0x7fff"))
    #expect(u("0x1234").signExtended(fromByte: u("31")) == u("0x1234"))
    #expect(u("0x80000000000000000").signExtended(fromByte: u("8")) == u("0x80000000000000000"))
    #expect(u("0x8000000000000000").signExtended(fromByte: u("7")) == max &- u("0x7fffffffffffffff"))
  }

  @Test func bytesRoundTrip() {
    let a = u("0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20")
    #expect(UInt256(bigEndian: a.bigEndianBytes) == a)
    #expect(u("0x100").minimalBigEndianBytes == [1, 0])
    #expect(UInt256.zero.minimalBigEndianBytes == [])
    let addr = try! Address(hex: "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b")
    #expect(Address(word: addr.word) == addr)
    #expect(addr.word == u("0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b"))
  }
}
