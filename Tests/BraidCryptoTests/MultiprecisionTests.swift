import Testing

/// The limb arithmetic under MODEXP, checked against itself the slow way: Knuth division
/// against products it must undo, and the Montgomery / power-of-two / CRT exponentiation
/// against plain square-and-multiply with a division after every step, on random operands
/// biased towards the limb values (0, 1, 2^63, 2^64 - 1) where carries and quotient
/// estimates go wrong.
@testable import BraidCrypto

fileprivate extension SplitMix {
  mutating func limb() -> UInt64 {
    switch below(8) {
    case 0: return 0
    case 1: return .max
    case 2: return 1 << 63
    case 3: return .max - 1
    case 4: return 1
    default: return next()
    }
  }
  mutating func limbs(_ count: Int) -> Limbs { (0..<count).map { _ in limb() } }
}

private func trimmed(_ a: Limbs) -> Limbs {
  var a = a
  Multiprecision.trim(&a)
  return a
}

private func add(_ a: Limbs, _ b: Limbs) -> Limbs {
  var out = Limbs(repeating: 0, count: max(a.count, b.count) + 1)
  var carry = false
  for i in 0..<out.count {
    let (s1, c1) = (i < a.count ? a[i] : 0).addingReportingOverflow(i < b.count ? b[i] : 0)
    let (s2, c2) = s1.addingReportingOverflow(carry ? 1 : 0)
    out[i] = s2
    carry = c1 || c2
  }
  return out
}

private func isLess(_ a: Limbs, _ b: Limbs) -> Bool {
  let a = trimmed(a)
  let b = trimmed(b)
  if a.count != b.count { return a.count < b.count }
  for i in stride(from: a.count - 1, through: 0, by: -1) where a[i] != b[i] { return a[i] < b[i] }
  return false
}

/// Left-to-right binary exponentiation reducing by division after every product.
private func referencePowMod(_ base: Limbs, _ exponent: Limbs, _ m: Limbs) -> Limbs {
  var result = Multiprecision.padded([1], to: m.count)
  result = Multiprecision.remainder(result, m)
  let b = Multiprecision.remainder(base, m)
  let e = trimmed(exponent)
  guard let top = e.last else { return result }
  let bits = 64 * e.count - top.leadingZeroBitCount
  for i in stride(from: bits - 1, through: 0, by: -1) {
    result = Multiprecision.mulMod(result, result, m)
    if (e[i / 64] >> UInt64(i % 64)) & 1 == 1 { result = Multiprecision.mulMod(result, b, m) }
  }
  return result
}

@Test func remainderUndoesMultiplication() {
  var rng = SplitMix(state: 1)
  for _ in 0..<2000 {
    var m = rng.limbs(1 + rng.below(6))
    if m[m.count - 1] == 0 { m[m.count - 1] = rng.next() | 1 }
    let q = rng.limbs(rng.below(7))
    var r = rng.limbs(m.count)
    if !isLess(r, m) { r = Multiprecision.remainder(r, m) }  // only a fallback; checked below
    let a = add(Multiprecision.multiply(q, m), r)
    let got = Multiprecision.remainder(a, m)
    #expect(got.count == m.count)
    #expect(trimmed(got) == trimmed(r), "q=\(q) m=\(m) r=\(r)")
  }
}

@Test func remainderAddBackCase() {
  // Operands found by searching with a Python model of Algorithm D for a case where the
  // corrected quotient estimate is still one too large, so the add-back step runs.
  let m: Limbs = [0x8000_0000_0000_0001, 0x8000_0000_0000_0001, 0xFFFF_FFFF_FFFF_FFFF]
  let a: Limbs = [0x8000_0000_0000_0001, 0x1, 0x8000_0000_0000_0001, 0xFFFF_FFFF_FFFF_FFFF]
  #expect(Multiprecision.remainder(a, m) == [2, 2, 0xFFFF_FFFF_FFFF_FFFF])
}

@Test func montgomeryMatchesDivisionForOddModuli() {
  var rng = SplitMix(state: 2)
  for _ in 0..<300 {
    var m = rng.limbs(1 + rng.below(8))
    m[0] |= 1
    if m[m.count - 1] == 0 { m[m.count - 1] = 3 }
    if m == [1] { continue }
    let base = rng.limbs(rng.below(2 * m.count + 1))
    let exponent = rng.limbs(1 + rng.below(3))
    #expect(
      Multiprecision.powMod(base: base, exponent: exponent, modulus: m) == referencePowMod(base, exponent, m),
      "m=\(m) b=\(base) e=\(exponent)")
  }
}

@Test func powerOfTwoAndEvenModuliMatchDivision() {
  var rng = SplitMix(state: 3)
  for _ in 0..<400 {
    // m = q·2^k with q odd (possibly 1, a pure power of two) and k up to 200.
    let k = 1 + rng.below(200)
    var q = rng.below(4) == 0 ? [1] : rng.limbs(1 + rng.below(4))
    q[0] |= 1
    let m = trimmed(Multiprecision.multiply(q, Limbs(repeating: 0, count: k / 64) + [1 << UInt64(k % 64)]))
    let base = rng.limbs(rng.below(m.count + 2))
    let exponent = rng.limbs(1 + rng.below(3))
    #expect(
      Multiprecision.powMod(base: base, exponent: exponent, modulus: m) == referencePowMod(base, exponent, m),
      "m=\(m) b=\(base) e=\(exponent)")
  }
}

@Test func slidingWindowSizesAllAgree() {
  // Exponent bit lengths straddling every window-size threshold.
  var rng = SplitMix(state: 4)
  let m: Limbs = [rng.next() | 1, rng.next(), rng.next() | 1 << 63]
  let base = rng.limbs(3)
  for bits in [1, 2, 23, 24, 25, 79, 80, 81, 239, 240, 241, 671, 672, 673, 800] {
    var exponent = rng.limbs((bits + 63) / 64)
    exponent[exponent.count - 1] &= bits % 64 == 0 ? .max : (1 << UInt64(bits % 64)) - 1
    exponent[exponent.count - 1] |= 1 << UInt64((bits - 1) % 64)
    #expect(
      Multiprecision.powMod(base: base, exponent: exponent, modulus: m) == referencePowMod(base, exponent, m),
      "bits=\(bits)")
  }
}

@Test func conversionsRoundTrip() {
  let bytes: [UInt8] = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a]
  let limbs = Multiprecision.limbs(bigEndian: bytes)
  #expect(limbs == [0x0304_0506_0708_090a, 0x0102])
  #expect(Multiprecision.bigEndianBytes(limbs, count: 11) == bytes)
  #expect(Multiprecision.bigEndianBytes(limbs, count: 13) == [0, 0] + bytes)
  #expect(Multiprecision.limbs(bigEndian: [0, 0, 0] as [UInt8]).isEmpty)
}
