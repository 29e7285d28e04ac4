/// Unsigned multi-precision arithmetic on little-endian `UInt64` limbs, just what MODEXP needs:
/// schoolbook multiplication, Knuth's division for reductions, Montgomery multiplication for
/// odd moduli, truncated multiplication for powers of two, and a sliding-window power on top
/// of either. Even moduli are split as q·2^k and recombined (CRT), so every exponentiation
/// runs on one of the two fast multipliers; the division is only used to reduce inputs.
import BraidPrimitives

typealias Limbs = [UInt64]

enum Multiprecision {
  // MARK: conversions

  /// The value of big-endian `bytes` as limbs, least significant first, without high zeros.
  static func limbs<C: BidirectionalCollection>(bigEndian bytes: C) -> Limbs where C.Element == UInt8 {
    var out = Limbs()
    out.reserveCapacity((bytes.count + 7) / 8)
    var limb: UInt64 = 0
    var shift: UInt64 = 0
    for b in bytes.reversed() {
      limb |= UInt64(b) << shift
      shift += 8
      if shift == 64 {
        out.append(limb)
        limb = 0
        shift = 0
      }
    }
    if shift != 0 { out.append(limb) }
    trim(&out)
    return out
  }

  /// `a` as exactly `count` big-endian bytes; the caller guarantees the value fits.
  static func bigEndianBytes(_ a: Limbs, count: Int) -> Bytes {
    var out = Bytes(repeating: 0, count: count)
    var pos = count - 1
    for limb in a {
      for k in 0..<8 where pos >= 0 {
        out[pos] = UInt8(truncatingIfNeeded: limb >> UInt64(8 * k))
        pos -= 1
      }
    }
    return out
  }

  static func trim(_ a: inout Limbs) {
    while let last = a.last, last == 0 { a.removeLast() }
  }

  static func isZero(_ a: Limbs) -> Bool { a.allSatisfy { $0 == 0 } }

  static func isOne(_ a: Limbs) -> Bool { a.first == 1 && a.dropFirst().allSatisfy { $0 == 0 } }

  static func padded(_ a: Limbs, to count: Int) -> Limbs {
    a.count >= count ? a : a + Limbs(repeating: 0, count: count - a.count)
  }

  // MARK: primitives

  /// a·b + c + d, which cannot overflow 128 bits.
  @inline(__always)
  static func mulAdd(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) -> (high: UInt64, low: UInt64) {
    var (h, l) = a.multipliedFullWidth(by: b)
    var o: Bool
    (l, o) = l.addingReportingOverflow(c)
    h &+= o ? 1 : 0
    (l, o) = l.addingReportingOverflow(d)
    h &+= o ? 1 : 0
    return (h, l)
  }

  /// The inverse of an odd `x` modulo 2^64, by Newton's iteration: x is its own inverse
  /// modulo 8, and each step doubles the number of correct bits (3, 6, 12, 24, 48, 96).
  static func inverse64(_ x: UInt64) -> UInt64 {
    var y = x
    for _ in 0..<5 { y = y &* (2 &- x &* y) }
    return y
  }

  /// Number of trailing zero bits of a nonzero value.
  static func trailingZeroBits(_ a: Limbs) -> Int {
    var i = 0
    while a[i] == 0 { i += 1 }
    return 64 * i + a[i].trailingZeroBitCount
  }

  /// a >> s, trimmed.
  static func shiftedRight(_ a: Limbs, by s: Int) -> Limbs {
    let limbShift = s / 64
    let bitShift = UInt64(s % 64)
    guard limbShift < a.count else { return [] }
    var out = Limbs(repeating: 0, count: a.count - limbShift)
    for i in 0..<out.count {
      let lo = a[i + limbShift] >> bitShift
      let hi = bitShift == 0 || i + limbShift + 1 >= a.count ? 0 : a[i + limbShift + 1] << (64 - bitShift)
      out[i] = lo | hi
    }
    trim(&out)
    return out
  }

  /// The full product a·b with a.count + b.count limbs.
  static func multiply(_ a: Limbs, _ b: Limbs) -> Limbs {
    guard !a.isEmpty, !b.isEmpty else { return [] }
    var out = Limbs(repeating: 0, count: a.count + b.count)
    for i in 0..<a.count {
      var carry: UInt64 = 0
      for j in 0..<b.count {
        (carry, out[i + j]) = mulAdd(a[i], b[j], out[i + j], carry)
      }
      out[i + b.count] = carry
    }
    return out
  }

  /// a mod m for a modulus whose top limb is nonzero; the result has exactly m.count limbs.
  ///
  /// Knuth's Algorithm D (TAOCP vol. 2, 4.3.1): normalise so the divisor's top bit is set,
  /// estimate each quotient limb from the top two limbs of the running remainder (the
  /// estimate is at most two too large after the correction loop, and the rare remaining
  /// excess shows up as a borrow and is added back).
  static func remainder(_ a: Limbs, _ m: Limbs) -> Limbs {
    let n = m.count
    precondition(n > 0 && m[n - 1] != 0, "modulus must be normalised")
    var a = a
    trim(&a)
    if a.count < n { return padded(a, to: n) }
    if n == 1 {
      var r: UInt64 = 0
      for limb in a.reversed() { r = m[0].dividingFullWidth((r, limb)).remainder }
      return [r]
    }
    let s = UInt64(m[n - 1].leadingZeroBitCount)
    @inline(__always) func shiftedLimb(_ x: Limbs, _ i: Int) -> UInt64 {
      let lo = i < x.count ? x[i] << s : 0
      let hi = s == 0 || i == 0 ? 0 : x[i - 1] >> (64 - s)
      return lo | hi
    }
    let v = (0..<n).map { shiftedLimb(m, $0) }
    var u = (0...a.count).map { shiftedLimb(a, $0) }
    let top = v[n - 1]
    let next = v[n - 2]
    for j in stride(from: a.count - n, through: 0, by: -1) {
      var qhat: UInt64
      var rhat: UInt64
      var rhatOverflow = false
      if u[j + n] >= top {
        // The true quotient limb is at most 2^64 - 1.
        qhat = .max
        (rhat, rhatOverflow) = u[j + n - 1].addingReportingOverflow(top)
      } else {
        (qhat, rhat) = top.dividingFullWidth((u[j + n], u[j + n - 1]))
      }
      while !rhatOverflow {
        let (ph, pl) = qhat.multipliedFullWidth(by: next)
        guard ph > rhat || (ph == rhat && pl > u[j + n - 2]) else { break }
        qhat -= 1
        (rhat, rhatOverflow) = rhat.addingReportingOverflow(top)
      }
      var carry: UInt64 = 0
      var borrow: UInt64 = 0
      for i in 0..<n {
        let (ph, pl) = qhat.multipliedFullWidth(by: v[i])
        let (p, c) = pl.addingReportingOverflow(carry)
        carry = ph &+ (c ? 1 : 0)
        let (d1, b1) = u[i + j].subtractingReportingOverflow(p)
        let (d2, b2) = d1.subtractingReportingOverflow(borrow)
        u[i + j] = d2
        borrow = (b1 ? 1 : 0) &+ (b2 ? 1 : 0)
      }
      let (d1, b1) = u[j + n].subtractingReportingOverflow(carry)
      let (d2, b2) = d1.subtractingReportingOverflow(borrow)
      u[j + n] = d2
      if b1 || b2 {
        var c = false
        for i in 0..<n {
          let (s1, c1) = u[i + j].addingReportingOverflow(v[i])
          let (s2, c2) = s1.addingReportingOverflow(c ? 1 : 0)
          u[i + j] = s2
          c = c1 || c2
        }
        u[j + n] &+= c ? 1 : 0
      }
    }
    return (0..<n).map { i in
      let lo = u[i] >> s
      let hi = s == 0 ? 0 : u[i + 1] << (64 - s)
      return lo | hi
    }
  }

  /// a·b mod m (m normalised, a and b of any size).
  static func mulMod(_ a: Limbs, _ b: Limbs, _ m: Limbs) -> Limbs {
    remainder(multiply(a, b), m)
  }
}

// MARK: - multipliers

/// A representation of residues in which the power routine multiplies. `multiply` writes
/// a·b into `out`, which must not overlap `a` or `b`; all three hold `limbCount` limbs.
protocol ModularMultiplier {
  var limbCount: Int { get }
  func multiply(
    _ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>, into out: UnsafeMutablePointer<UInt64>)
}

/// Montgomery arithmetic modulo an odd m with n limbs: residues are kept as x·R mod m with
/// R = 2^(64n), so a product is reduced by adding a multiple of m that clears the low limbs
/// instead of dividing.
struct MontgomeryMultiplier: ModularMultiplier {
  let modulus: Limbs
  let limbCount: Int
  /// -m⁻¹ mod 2^64.
  let negatedInverse: UInt64
  /// R² mod m, which takes a residue into Montgomery form in one multiplication.
  let rSquared: Limbs

  init(modulus m: Limbs) {
    precondition(
      m.first.map { $0 & 1 == 1 } == true && m.last != 0, "Montgomery needs an odd normalised modulus")
    modulus = m
    limbCount = m.count
    negatedInverse = 0 &- Multiprecision.inverse64(m[0])
    var r2 = Limbs(repeating: 0, count: 2 * m.count + 1)
    r2[2 * m.count] = 1
    rSquared = Multiprecision.remainder(r2, m)
  }

  /// Coarsely integrated operand scanning (CIOS): interleaves one row of the product with one
  /// limb of reduction, so the accumulator never exceeds n + 2 limbs. For inputs below m the
  /// result is below 2m, and one conditional subtraction finishes it.
  func multiply(_ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>, into t: UnsafeMutablePointer<UInt64>)
  {
    let n = limbCount
    modulus.withUnsafeBufferPointer { mb in
      let m = mb.baseAddress!
      t.initialize(repeating: 0, count: n)
      var t1: UInt64 = 0  // t[n]
      for i in 0..<n {
        let bi = b[i]
        var carry: UInt64 = 0
        for j in 0..<n {
          (carry, t[j]) = Multiprecision.mulAdd(a[j], bi, t[j], carry)
        }
        let (s, o) = t1.addingReportingOverflow(carry)
        t1 = s
        let t2: UInt64 = o ? 1 : 0  // t[n + 1]

        let u = t[0] &* negatedInverse
        (carry, _) = Multiprecision.mulAdd(u, m[0], t[0], 0)
        for j in 1..<n {
          (carry, t[j - 1]) = Multiprecision.mulAdd(u, m[j], t[j], carry)
        }
        let (s2, o2) = t1.addingReportingOverflow(carry)
        t[n - 1] = s2
        t1 = t2 &+ (o2 ? 1 : 0)
      }
      if t1 != 0 || !isBelowModulus(t, m) { subtractModulus(t, m) }
    }
  }

  @inline(__always)
  private func isBelowModulus(_ t: UnsafeMutablePointer<UInt64>, _ m: UnsafePointer<UInt64>) -> Bool {
    var i = limbCount - 1
    while i >= 0 {
      if t[i] != m[i] { return t[i] < m[i] }
      i -= 1
    }
    return false
  }

  @inline(__always)
  private func subtractModulus(_ t: UnsafeMutablePointer<UInt64>, _ m: UnsafePointer<UInt64>) {
    var borrow = false
    for i in 0..<limbCount {
      let (d1, b1) = t[i].subtractingReportingOverflow(m[i])
      let (d2, b2) = d1.subtractingReportingOverflow(borrow ? 1 : 0)
      t[i] = d2
      borrow = b1 || b2
    }
  }

  /// x (already below m, limbCount limbs) in Montgomery form.
  func toMontgomery(_ x: Limbs) -> Limbs { multiply(x, rSquared) }

  /// Back from Montgomery form: multiplying by plain 1 divides by R.
  func fromMontgomery(_ x: Limbs) -> Limbs {
    var one = Limbs(repeating: 0, count: limbCount)
    one[0] = 1
    return multiply(x, one)
  }

  private func multiply(_ a: Limbs, _ b: Limbs) -> Limbs {
    var out = Limbs(repeating: 0, count: limbCount)
    a.withUnsafeBufferPointer { a in
      b.withUnsafeBufferPointer { b in
        out.withUnsafeMutableBufferPointer { o in
          multiply(a.baseAddress!, b.baseAddress!, into: o.baseAddress!)
        }
      }
    }
    return out
  }
}

/// Arithmetic modulo 2^(64n): the low n limbs of the product. Reducing further to 2^k with
/// k ≤ 64n is a mask at the end, since 2^k divides 2^(64n).
struct TruncatedMultiplier: ModularMultiplier {
  let limbCount: Int

  func multiply(
    _ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>, into out: UnsafeMutablePointer<UInt64>
  ) {
    let n = limbCount
    out.initialize(repeating: 0, count: n)
    for i in 0..<n {
      let ai = a[i]
      var carry: UInt64 = 0
      for j in 0..<(n - i) {
        (carry, out[i + j]) = Multiprecision.mulAdd(ai, b[j], out[i + j], carry)
      }
    }
  }
}

// MARK: - exponentiation

extension Multiprecision {
  /// base^exponent in the multiplier's representation.
  ///
  /// `base` has `limbCount` limbs, `exponent` is nonzero. Left-to-right sliding window: a
  /// table of the odd powers base^1, base^3, … lets each run of up to w bits that starts and
  /// ends with a one cost a single multiplication, and zero bits cost only squarings.
  static func power<M: ModularMultiplier>(
    _ mul: M, base: Limbs, exponent: Limbs
  ) -> Limbs {
    let n = mul.limbCount
    let bits = 64 * exponent.count - exponent.last!.leadingZeroBitCount
    // Window sizes where the table's cost is repaid by fewer multiplications.
    let w = bits > 671 ? 6 : bits > 239 ? 5 : bits > 79 ? 4 : bits > 23 ? 3 : 1
    let tableSize = 1 << (w - 1)
    @inline(__always) func bit(_ i: Int) -> Bool { (exponent[i >> 6] >> UInt64(i & 63)) & 1 == 1 }

    let storage = UnsafeMutablePointer<UInt64>.allocate(capacity: (tableSize + 3) * n)
    defer { storage.deallocate() }
    let table = storage
    var acc = storage + tableSize * n
    var tmp = acc + n
    let square = tmp + n

    base.withUnsafeBufferPointer { table.initialize(from: $0.baseAddress!, count: n) }
    if tableSize > 1 {
      mul.multiply(table, table, into: square)
      for i in 1..<tableSize { mul.multiply(table + (i - 1) * n, square, into: table + i * n) }
    }

    var started = false
    var i = bits - 1
    while i >= 0 {
      if !bit(i) {
        mul.multiply(acc, acc, into: tmp)
        swap(&acc, &tmp)
        i -= 1
        continue
      }
      var low = max(i - w + 1, 0)
      while !bit(low) { low += 1 }
      var window = 0
      for k in stride(from: i, through: low, by: -1) { window = window << 1 | (bit(k) ? 1 : 0) }
      let entry = table + (window >> 1) * n
      if started {
        for _ in low...i {
          mul.multiply(acc, acc, into: tmp)
          swap(&acc, &tmp)
        }
        mul.multiply(acc, entry, into: tmp)
        swap(&acc, &tmp)
      } else {
        // The leading window: nothing to square yet, so start from the table entry.
        acc.update(from: entry, count: n)
        started = true
      }
      i = low - 1
    }
    return Limbs(UnsafeBufferPointer(start: acc, count: n))
  }

  /// base^exponent mod m, with m normalised and greater than 1; the
  /// result has m.count limbs.
  static func powMod(base: Limbs, exponent: Limbs, modulus m: Limbs) -> Limbs {
    let n = m.count
    var exponent = exponent
    trim(&exponent)
    // x^0 = 1, including 0^0, as EIP-198's reference `pow(b, e, m)` defines it.
    if exponent.isEmpty { return padded([1], to: n) }
    let b = remainder(base, m)
    if isZero(b) || isOne(b) { return b }

    if m[0] & 1 == 1 {
      return oddPowMod(base: b, exponent: exponent, modulus: m)
    }
    // m = q·2^k with q odd: solve modulo each factor and recombine.
    let k = trailingZeroBits(m)
    let x2 = powModPowerOfTwo(base: b, exponent: exponent, bits: k)
    let q = shiftedRight(m, by: k)
    if isOne(q) { return padded(x2, to: n) }
    let x1 = oddPowMod(base: remainder(b, q), exponent: exponent, modulus: q)
    return padded(combine(x1: x1, q: q, x2: x2, k: k), to: n)
  }

  private static func oddPowMod(base: Limbs, exponent: Limbs, modulus: Limbs) -> Limbs {
    let mont = MontgomeryMultiplier(modulus: modulus)
    let r = power(mont, base: mont.toMontgomery(base), exponent: exponent)
    return mont.fromMontgomery(r)
  }

  /// The result modulo 2^k, as ceil(k/64) limbs.
  private static func powModPowerOfTwo(base: Limbs, exponent: Limbs, bits k: Int) -> Limbs {
    let n = (k + 63) / 64
    let b = Limbs(padded(base, to: n).prefix(n))
    var r = power(TruncatedMultiplier(limbCount: n), base: b, exponent: exponent)
    maskTop(&r, bits: k)
    return r
  }

  private static func maskTop(_ r: inout Limbs, bits k: Int) {
    if k % 64 != 0 { r[r.count - 1] &= (1 << UInt64(k % 64)) - 1 }
  }

  /// The x < q·2^k with x ≡ x1 (mod q) and x ≡ x2 (mod 2^k), by Garner's formula
  /// x = x1 + q·h where h = (x2 - x1)·q⁻¹ mod 2^k.
  ///
  /// Rather than inverting q, h is built one limb at a time like a Montgomery reduction:
  /// each limb is chosen so that q·h agrees with x2 - x1 in one more limb.
  private static func combine(x1: Limbs, q: Limbs, x2: Limbs, k: Int) -> Limbs {
    let n = x2.count
    // r = (x2 - x1) mod 2^(64n)
    var r = x2
    var borrow = false
    for i in 0..<n {
      let (d1, b1) = r[i].subtractingReportingOverflow(i < x1.count ? x1[i] : 0)
      let (d2, b2) = d1.subtractingReportingOverflow(borrow ? 1 : 0)
      r[i] = d2
      borrow = b1 || b2
    }
    let qInverse = inverse64(q[0])
    var h = Limbs(repeating: 0, count: n)
    for i in 0..<n {
      let hi = r[i] &* qInverse
      h[i] = hi
      // r -= q·hi·2^(64i), keeping n limbs; this zeroes r[i].
      var carry: UInt64 = 0
      var borrow = false
      for j in 0..<(n - i) {
        let p: UInt64
        (carry, p) = mulAdd(j < q.count ? q[j] : 0, hi, carry, 0)
        let (d1, b1) = r[i + j].subtractingReportingOverflow(p)
        let (d2, b2) = d1.subtractingReportingOverflow(borrow ? 1 : 0)
        r[i + j] = d2
        borrow = b1 || b2
      }
    }
    maskTop(&h, bits: k)
    var x = multiply(q, h)
    var carry = false
    for i in 0..<x.count {
      let (s1, c1) = x[i].addingReportingOverflow(i < x1.count ? x1[i] : 0)
      let (s2, c2) = s1.addingReportingOverflow(carry ? 1 : 0)
      x[i] = s2
      carry = c1 || c2
    }
    trim(&x)
    return x
  }
}
