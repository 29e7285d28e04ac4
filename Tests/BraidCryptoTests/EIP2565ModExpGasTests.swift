/// MODEXP gas under EIP-2565: the repricing table published with the EIP (the nagydani
/// vectors), EIP-198's examples repriced, the iteration-count rules for long exponents, the
/// 200 minimum, and saturation for lengths no one can pay for.
import BraidCrypto
import BraidPrimitives
import Testing

private func lengthWord(_ n: UInt256) -> Bytes { n.bigEndianBytes }

/// An input with the given lengths whose exponent bytes are `exponent` (left-padded to the
/// declared length); base and modulus are zeros, which gas does not look at.
private func input(base: Int, exponent: Bytes, exponentLength: Int? = nil, modulus: Int) -> Bytes {
  let el = exponentLength ?? exponent.count
  return lengthWord(UInt256(base)) + lengthWord(UInt256(el)) + lengthWord(UInt256(modulus))
    + Bytes(repeating: 0, count: base) + Bytes(repeating: 0, count: el - exponent.count) + exponent
    + Bytes(repeating: 0, count: modulus)
}

/// The "new pricing" column of the EIP-2565 test-case table. nagydani_n uses base and
/// modulus of 64·2^(n-1) bytes; the exponents are 2 (square), 3 (qube) and 0x10001.
@Test(
  arguments: [
    (64, [0x02], 200), (64, [0x03], 200), (64, [0x01, 0x00, 0x01], 341),
    (128, [0x02], 200), (128, [0x03], 200), (128, [0x01, 0x00, 0x01], 1365),
    (256, [0x02], 341), (256, [0x03], 341), (256, [0x01, 0x00, 0x01], 5461),
    (512, [0x02], 1365), (512, [0x03], 1365), (512, [0x01, 0x00, 0x01], 21845),
    (1024, [0x02], 5461), (1024, [0x03], 5461), (1024, [0x01, 0x00, 0x01], 87381),
  ] as [(Int, [UInt8], UInt64)])
func eip2565NagydaniTable(length: Int, exponent: [UInt8], gas: UInt64) {
  #expect(ModExp.gasCost(input: input(base: length, exponent: exponent, modulus: length)) == gas)
}

@Test func eip198FermatExampleRepriced() throws {
  // ⌈32/8⌉² = 16, exponent p - 1 has 256 bits so 255 iterations: 16·255/3 = 1360.
  let bytes = try Hex.decode(
    "0x" + String(repeating: "0", count: 63) + "1" + String(repeating: "0", count: 62) + "20"
      + String(repeating: "0", count: 62) + "20" + "03"
      + "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e"
      + "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f")
  #expect(ModExp.gasCost(input: bytes) == 1360)
}

@Test func minimumIs200() {
  #expect(ModExp.gasCost(input: []) == 200)
  // Zero exponent: iteration count 0, raised to 1 by the max(…, 1).
  #expect(ModExp.gasCost(input: input(base: 32, exponent: [0], modulus: 32)) == 200)
  #expect(ModExp.gasCost(input: input(base: 0, exponent: [], modulus: 0)) == 200)
}

@Test func longExponentCountsEightPerByteBeyond32() {
  // EIP-198's example: a 100-byte exponent whose first 32 bytes have their top bit at
  // index 253 counts 8·(100 - 32) + 253 = 797; ⌈32/8⌉² · 797 / 3 = 4250. (The EIP writes
  // that head as \x00\x00\x01…, which actually has its top bit at 232; 0x20 in the first
  // byte is the head that matches its arithmetic.)
  var exponent = Bytes(repeating: 0, count: 100)
  exponent[0] = 0x20
  #expect(ModExp.gasCost(input: input(base: 32, exponent: exponent, modulus: 32)) == 4250)
  exponent[0] = 0
  exponent[2] = 0x01
  #expect(ModExp.gasCost(input: input(base: 32, exponent: exponent, modulus: 32)) == 16 * (544 + 232) / 3)
  // A zero head adds nothing: 8·(40 - 32) = 64 iterations; 16·64/3 = 341.
  #expect(ModExp.gasCost(input: input(base: 32, exponent: [], exponentLength: 40, modulus: 32)) == 341)
  // Only the head is read: a set bit after the first 32 bytes changes nothing.
  var late = Bytes(repeating: 0, count: 40)
  late[39] = 0xff
  #expect(ModExp.gasCost(input: input(base: 32, exponent: late, modulus: 32)) == 341)
}

@Test func headIsReadFromImplicitPadding() {
  // Exponent length 32 but only 1 byte present: it is the top byte, 0x80 → bit 255.
  let header = lengthWord(.zero) + lengthWord(UInt256(32)) + lengthWord(UInt256(8))
  // ⌈8/8⌉² = 1 and 255 iterations: 85, raised to the minimum.
  #expect(ModExp.gasCost(input: header + [0x80]) == 200)
  let wide = lengthWord(.zero) + lengthWord(UInt256(32)) + lengthWord(UInt256(64))
  // ⌈64/8⌉² = 64, 255 iterations: 64·255/3 = 5440.
  #expect(ModExp.gasCost(input: wide + [0x80]) == 5440)
}

@Test func hugeLengthsSaturate() throws {
  // EIP-198's third example: a modulus length of 2^256 - 1.
  let maxLength = lengthWord(.max)
  #expect(ModExp.gasCost(input: lengthWord(.zero) + lengthWord(UInt256(32)) + maxLength) == .max)
  #expect(ModExp.gasCost(input: maxLength + lengthWord(.zero) + lengthWord(.zero)) == .max)
  // A huge exponent length with a nonzero modulus length saturates through the count…
  #expect(ModExp.gasCost(input: lengthWord(.zero) + maxLength + lengthWord(UInt256(1))) == .max)
  // …but costs the minimum when base and modulus are empty, since complexity is 0.
  #expect(ModExp.gasCost(input: lengthWord(.zero) + maxLength + lengthWord(.zero)) == 200)
}

@Test func largeButRepresentableCostsAreExact() {
  // Modulus of 2^35 bytes: 2^32 words, complexity 2^64, which overflows 64 bits on its own
  // while the cost itself does not.
  let header = lengthWord(.zero) + lengthWord(UInt256(1)) + lengthWord(UInt256(UInt64(1) << 35))
  #expect(ModExp.gasCost(input: header + [0x02]) == 6_148_914_691_236_517_205)  // ⌊2^64/3⌋
  #expect(ModExp.gasCost(input: header + [0x04]) == 12_297_829_382_473_034_410)  // ⌊2^65/3⌋
  #expect(ModExp.gasCost(input: header + [0x08]) == .max)  // 2^64 does not fit
}
