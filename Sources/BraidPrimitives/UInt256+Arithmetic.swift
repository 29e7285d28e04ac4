/// Modular (wrapping) 256-bit arithmetic with the EVM's semantics: division by zero is
/// zero, signed operations use two's complement.
extension UInt256 {
  // MARK: add / sub

  @inlinable @inline(__always)
  public func addingReportingOverflow(_ b: UInt256) -> (partialValue: UInt256, overflow: Bool) {
    let (r0, c0) = w0.addingReportingOverflow(b.w0)
    var (r1, c1) = w1.addingReportingOverflow(b.w1)
    var c: Bool
    (r1, c) = r1.addingReportingOverflow(c0 ? 1 : 0); c1 = c1 || c
    var (r2, c2) = w2.addingReportingOverflow(b.w2)
    (r2, c) = r2.addingReportingOverflow(c1 ? 1 : 0); c2 = c2 || c
    var (r3, c3) = w3.addingReportingOverflow(b.w3)
    (r3, c) = r3.addingReportingOverflow(c2 ? 1 : 0); c3 = c3 || c
    return (UInt256(w0: r0, w1: r1, w2: r2, w3: r3), c3)
  }

  @inlinable @inline(__always)
  public func subtractingReportingOverflow(_ b: UInt256) -> (partialValue: UInt256, overflow: Bool) {
    let (r0, c0) = w0.subtractingReportingOverflow(b.w0)
    var (r1, c1) = w1.subtractingReportingOverflow(b.w1)
    var c: Bool
    (r1, c) = r1.subtractingReportingOverflow(c0 ? 1 : 0); c1 = c1 || c
    var (r2, c2) = w2.subtractingReportingOverflow(b.w2)
    (r2, c) = r2.subtractingReportingOverflow(c1 ? 1 : 0); c2 = c2 || c
    var (r3, c3) = w3.subtractingReportingOverflow(b.w3)
    (r3, c) = r3.subtractingReportingOverflow(c2 ? 1 : 0); c3 = c3 || c
    return (UInt256(w0: r0, w1: r1, w2: r2, w3: r3), c3)
  }

  @inlinable @inline(__always)
  public static func &+ (a: UInt256, b: UInt256) -> UInt256 { a.addingReportingOverflow(b).partialValue }
  @inlinable @inline(__always)
  public static func &- (a: UInt256, b: UInt256) -> UInt256 { a.subtractingReportingOverflow(b).partialValue }

  /// Checked: traps on overflow. For balances where overflow is an invariant violation.
  @inlinable public static func + (a: UInt256, b: UInt256) -> UInt256 {
    let (r, o) = a.addingReportingOverflow(b)
    precondition(!o, "UInt256 addition overflow")
    return r
  }
  @inlinable public static func - (a: UInt256, b: UInt256) -> UInt256 {
    let (r, o) = a.subtractingReportingOverflow(b)
    precondition(!o, "UInt256 subtraction underflow")
    return r
  }

  // MARK: mul

  /// The low 256 bits of the product.
  @inlinable @inline(__always)
  public static func &* (a: UInt256, b: UInt256) -> UInt256 {
    if (a.w1 | a.w2 | a.w3 | b.w1 | b.w2 | b.w3) == 0 {
      let (h, l) = a.w0.multipliedFullWidth(by: b.w0)
      return UInt256(w0: l, w1: h, w2: 0, w3: 0)
    }
    // Column sums of the schoolbook product, truncated to four limbs.
    var r0: UInt64, r1: UInt64 = 0, r2: UInt64 = 0, r3: UInt64 = 0
    var h: UInt64, l: UInt64, c: Bool
    (h, l) = a.w0.multipliedFullWidth(by: b.w0); r0 = l; r1 = h
    (h, l) = a.w0.multipliedFullWidth(by: b.w1); (r1, c) = r1.addingReportingOverflow(l); r2 = h &+ (c ? 1 : 0)
    (h, l) = a.w1.multipliedFullWidth(by: b.w0); (r1, c) = r1.addingReportingOverflow(l); (r2, c) = r2.addingReportingOverflow(h &+ (c ? 1 : 0)); r3 = c ? 1 : 0
    // Note: h + carry cannot overflow since h <= 2^64 - 2.
    (h, l) = a.w0.multipliedFullWidth(by: b.w2); (r2, c) = r2.addingReportingOverflow(l); r3 = r3 &+ h &+ (c ? 1 : 0)
    (h, l) = a.w1.multipliedFullWidth(by: b.w1); (r2, c) = r2.addingReportingOverflow(l); r3 = r3 &+ h &+ (c ? 1 : 0)
    (h, l) = a.w2.multipliedFullWidth(by: b.w0); (r2, c) = r2.addingReportingOverflow(l); r3 = r3 &+ h &+ (c ? 1 : 0)
    r3 = r3 &+ a.w0 &* b.w3 &+ a.w1 &* b.w2 &+ a.w2 &* b.w1 &+ a.w3 &* b.w0
    return UInt256(w0: r0, w1: r1, w2: r2, w3: r3)
  }

  /// The full 512-bit product as eight little-endian limbs.
  public func multipliedFullWidth(by b: UInt256) -> (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) {
    var r: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    withUnsafeMutableBytes(of: &r) { raw in
      let out = raw.baseAddress!.assumingMemoryBound(to: UInt64.self)
      for i in 0..<4 {
        var carry: UInt64 = 0
        let ai = self[limb: i]
        for j in 0..<4 {
          let (h, l) = ai.multipliedFullWidth(by: b[limb: j])
          let (s1, c1) = out[i + j].addingReportingOverflow(l)
          let (s2, c2) = s1.addingReportingOverflow(carry)
          out[i + j] = s2
          carry = h &+ (c1 ? 1 : 0) &+ (c2 ? 1 : 0)
        }
        out[i + 4] = carry
      }
    }
    return r
  }

  @inlinable
  public func multipliedReportingOverflow(by b: UInt256) -> (partialValue: UInt256, overflow: Bool) {
    // Gas times a fee: both fit in a limb, and so does their product's high half.
    if (w1 | w2 | w3 | b.w1 | b.w2 | b.w3) == 0 {
      let (h, l) = w0.multipliedFullWidth(by: b.w0)
      return (UInt256(w0: l, w1: h, w2: 0, w3: 0), false)
    }
    let p = multipliedFullWidth(by: b)
    return (UInt256(w0: p.0, w1: p.1, w2: p.2, w3: p.3), (p.4 | p.5 | p.6 | p.7) != 0)
  }

  // MARK: division

  /// Unsigned quotient and remainder; division by zero gives (0, 0) as in the EVM.
  @inlinable
  public func quotientAndRemainder(dividingBy d: UInt256) -> (quotient: UInt256, remainder: UInt256) {
    if d.isZero { return (.zero, .zero) }
    if self < d { return (.zero, self) }
    if (w1 | w2 | w3) == 0 { return (UInt256(w0 / d.w0), UInt256(w0 % d.w0)) }
    return UInt256.divideSlow(self, d)
  }

  @usableFromInline
  static func divideSlow(_ a: UInt256, _ d: UInt256) -> (quotient: UInt256, remainder: UInt256) {
    var u: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (a.w0, a.w1, a.w2, a.w3, 0, 0, 0, 0)
    var v = (d.w0, d.w1, d.w2, d.w3)
    var q: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    var r = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
    let n = (d.bitWidth + 63) / 64
    let m = (a.bitWidth + 63) / 64
    withUnsafeMutableBytes(of: &u) { ub in
      withUnsafeMutableBytes(of: &v) { vb in
        withUnsafeMutableBytes(of: &q) { qb in
          withUnsafeMutableBytes(of: &r) { rb in
            knuthDivide(
              ub.baseAddress!.assumingMemoryBound(to: UInt64.self), m,
              vb.baseAddress!.assumingMemoryBound(to: UInt64.self), n,
              qb.baseAddress!.assumingMemoryBound(to: UInt64.self),
              rb.baseAddress!.assumingMemoryBound(to: UInt64.self))
          }
        }
      }
    }
    return (UInt256(w0: q.0, w1: q.1, w2: q.2, w3: q.3), UInt256(w0: r.0, w1: r.1, w2: r.2, w3: r.3))
  }

  /// Knuth's algorithm D (TAOCP 4.3.1) on 64-bit limbs. `u` has `m` significant limbs and
  /// room for one more; `v` has `n` limbs with v[n-1] != 0 and m >= n. Writes m-n+1 quotient
  /// limbs and n remainder limbs. `u` and `v` are clobbered.
  @usableFromInline
  static func knuthDivide(
    _ u: UnsafeMutablePointer<UInt64>, _ m: Int, _ v: UnsafeMutablePointer<UInt64>, _ n: Int,
    _ q: UnsafeMutablePointer<UInt64>, _ r: UnsafeMutablePointer<UInt64>
  ) {
    if n == 1 {
      var rem: UInt64 = 0
      let d = v[0]
      var i = m - 1
      while i >= 0 {
        let (qq, rr) = d.dividingFullWidth((rem, u[i]))
        q[i] = qq
        rem = rr
        i -= 1
      }
      r[0] = rem
      return
    }
    let s = UInt64(v[n - 1].leadingZeroBitCount)
    if s != 0 {
      var i = n - 1
      while i > 0 { v[i] = v[i] << s | v[i - 1] >> (64 - s); i -= 1 }
      v[0] <<= s
      u[m] = u[m - 1] >> (64 - s)
      i = m - 1
      while i > 0 { u[i] = u[i] << s | u[i - 1] >> (64 - s); i -= 1 }
      u[0] <<= s
    } else {
      u[m] = 0
    }
    let vTop = v[n - 1], vNext = v[n - 2]
    var j = m - n
    while j >= 0 {
      var qhat: UInt64
      var rhat: UInt64
      var rhatOverflow = false
      if u[j + n] >= vTop {
        qhat = .max
        (rhat, rhatOverflow) = u[j + n - 1].addingReportingOverflow(vTop)
      } else {
        (qhat, rhat) = vTop.dividingFullWidth((u[j + n], u[j + n - 1]))
      }
      while !rhatOverflow {
        let (ph, pl) = qhat.multipliedFullWidth(by: vNext)
        if ph > rhat || (ph == rhat && pl > u[j + n - 2]) {
          qhat -= 1
          (rhat, rhatOverflow) = rhat.addingReportingOverflow(vTop)
        } else {
          break
        }
      }
      var carry: UInt64 = 0
      for i in 0..<n {
        let (ph, pl) = qhat.multipliedFullWidth(by: v[i])
        let (pl2, c1) = pl.addingReportingOverflow(carry)
        let (t, b1) = u[i + j].subtractingReportingOverflow(pl2)
        u[i + j] = t
        carry = ph &+ (c1 ? 1 : 0) &+ (b1 ? 1 : 0)
      }
      let (t, borrow) = u[j + n].subtractingReportingOverflow(carry)
      u[j + n] = t
      if borrow {
        qhat -= 1
        var c: UInt64 = 0
        for i in 0..<n {
          let (s1, o1) = u[i + j].addingReportingOverflow(v[i])
          let (s2, o2) = s1.addingReportingOverflow(c)
          u[i + j] = s2
          c = (o1 || o2) ? 1 : 0
        }
        u[j + n] &+= c
      }
      q[j] = qhat
      j -= 1
    }
    for i in 0..<n {
      r[i] = s == 0 ? u[i] : (u[i] >> s | u[i + 1] << (64 - s))
    }
  }

  @inlinable public static func / (a: UInt256, b: UInt256) -> UInt256 { a.quotientAndRemainder(dividingBy: b).quotient }
  @inlinable public static func % (a: UInt256, b: UInt256) -> UInt256 { a.quotientAndRemainder(dividingBy: b).remainder }

  /// (a + b) mod n with the 257-bit intermediate; 0 when n is 0.
  public static func addMod(_ a: UInt256, _ b: UInt256, _ n: UInt256) -> UInt256 {
    if n.isZero { return .zero }
    let (s, carry) = a.addingReportingOverflow(b)
    if !carry { return s % n }
    var u: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (s.w0, s.w1, s.w2, s.w3, 1, 0)
    return wideMod(&u, 5, n)
  }

  /// (a * b) mod n with the 512-bit intermediate; 0 when n is 0.
  public static func mulMod(_ a: UInt256, _ b: UInt256, _ n: UInt256) -> UInt256 {
    if n.isZero { return .zero }
    let p = a.multipliedFullWidth(by: b)
    if (p.4 | p.5 | p.6 | p.7) == 0 { return UInt256(w0: p.0, w1: p.1, w2: p.2, w3: p.3) % n }
    var u: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (p.0, p.1, p.2, p.3, p.4, p.5, p.6, p.7, 0)
    let m = p.7 != 0 ? 8 : p.6 != 0 ? 7 : p.5 != 0 ? 6 : 5
    return wideMod(&u, m, n)
  }

  private static func wideMod<T>(_ u: inout T, _ m: Int, _ n: UInt256) -> UInt256 {
    var v = (n.w0, n.w1, n.w2, n.w3)
    var q: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0, 0)
    var r = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
    let nl = (n.bitWidth + 63) / 64
    withUnsafeMutableBytes(of: &u) { ub in
      withUnsafeMutableBytes(of: &v) { vb in
        withUnsafeMutableBytes(of: &q) { qb in
          withUnsafeMutableBytes(of: &r) { rb in
            knuthDivide(
              ub.baseAddress!.assumingMemoryBound(to: UInt64.self), m,
              vb.baseAddress!.assumingMemoryBound(to: UInt64.self), nl,
              qb.baseAddress!.assumingMemoryBound(to: UInt64.self),
              rb.baseAddress!.assumingMemoryBound(to: UInt64.self))
          }
        }
      }
    }
    return UInt256(w0: r.0, w1: r.1, w2: r.2, w3: r.3)
  }

  // MARK: signed

  @inlinable @inline(__always) public var isNegative: Bool { w3 >> 63 == 1 }
  @inlinable @inline(__always) public var negated: UInt256 { UInt256.zero &- self }

  /// Signed division truncating toward zero; -2^255 / -1 = -2^255 (wraps), x / 0 = 0.
  public func signedDivided(by d: UInt256) -> UInt256 {
    if d.isZero { return .zero }
    let an = isNegative, dn = d.isNegative
    let q = (an ? negated : self) / (dn ? d.negated : d)
    return an != dn ? q.negated : q
  }

  /// Signed remainder taking the sign of the dividend; x % 0 = 0.
  public func signedRemainder(dividingBy d: UInt256) -> UInt256 {
    if d.isZero { return .zero }
    let an = isNegative
    let r = (an ? negated : self) % (d.isNegative ? d.negated : d)
    return an ? r.negated : r
  }

  @inlinable public func signedLess(than b: UInt256) -> Bool {
    let an = isNegative, bn = b.isNegative
    if an != bn { return an }
    return self < b
  }

  /// SIGNEXTEND: extend the sign of byte `b` (0 = least significant) to the whole word.
  public func signExtended(fromByte b: UInt256) -> UInt256 {
    guard b < UInt256(31) else { return self }
    let bit = Int(b.w0) * 8 + 7
    let limb = bit / 64, off = bit % 64
    let negative = (self[limb: limb] >> UInt64(off)) & 1 == 1
    var r = self
    for i in 0..<4 {
      if i < limb { continue }
      if i == limb {
        let mask: UInt64 = off == 63 ? .max : (UInt64(1) << UInt64(off + 1)) - 1
        r[limb: i] = negative ? (r[limb: i] | ~mask) : (r[limb: i] & mask)
      } else {
        r[limb: i] = negative ? .max : 0
      }
    }
    return r
  }

  // MARK: bits

  @inlinable @inline(__always) public static func & (a: UInt256, b: UInt256) -> UInt256 {
    UInt256(w0: a.w0 & b.w0, w1: a.w1 & b.w1, w2: a.w2 & b.w2, w3: a.w3 & b.w3)
  }
  @inlinable @inline(__always) public static func | (a: UInt256, b: UInt256) -> UInt256 {
    UInt256(w0: a.w0 | b.w0, w1: a.w1 | b.w1, w2: a.w2 | b.w2, w3: a.w3 | b.w3)
  }
  @inlinable @inline(__always) public static func ^ (a: UInt256, b: UInt256) -> UInt256 {
    UInt256(w0: a.w0 ^ b.w0, w1: a.w1 ^ b.w1, w2: a.w2 ^ b.w2, w3: a.w3 ^ b.w3)
  }
  @inlinable @inline(__always) public static prefix func ~ (a: UInt256) -> UInt256 {
    UInt256(w0: ~a.w0, w1: ~a.w1, w2: ~a.w2, w3: ~a.w3)
  }

  /// Logical shift left; shifts of 256 or more give zero. Whole limbs move first, then the
  /// bits within limbs: straight-line code, where a loop over limbs picked by index cost
  /// several times as much (SHL and SHR run on every ABI selector and packed field).
  @inlinable public static func << (a: UInt256, s: Int) -> UInt256 {
    if s >= 256 { return .zero }
    if s <= 0 { return a }
    var (w0, w1, w2, w3) = (a.w0, a.w1, a.w2, a.w3)
    switch s &>> 6 {
    case 0: break
    case 1: (w0, w1, w2, w3) = (0, w0, w1, w2)
    case 2: (w0, w1, w2, w3) = (0, 0, w0, w1)
    default: (w0, w1, w2, w3) = (0, 0, 0, w0)
    }
    let b = UInt64(s & 63)
    if b == 0 { return UInt256(w0: w0, w1: w1, w2: w2, w3: w3) }
    let c = 64 &- b
    return UInt256(
      w0: w0 &<< b, w1: (w1 &<< b) | (w0 &>> c), w2: (w2 &<< b) | (w1 &>> c), w3: (w3 &<< b) | (w2 &>> c))
  }

  /// Logical shift right; shifts of 256 or more give zero.
  @inlinable public static func >> (a: UInt256, s: Int) -> UInt256 {
    if s >= 256 { return .zero }
    if s <= 0 { return a }
    var (w0, w1, w2, w3) = (a.w0, a.w1, a.w2, a.w3)
    switch s &>> 6 {
    case 0: break
    case 1: (w0, w1, w2, w3) = (w1, w2, w3, 0)
    case 2: (w0, w1, w2, w3) = (w2, w3, 0, 0)
    default: (w0, w1, w2, w3) = (w3, 0, 0, 0)
    }
    let b = UInt64(s & 63)
    if b == 0 { return UInt256(w0: w0, w1: w1, w2: w2, w3: w3) }
    let c = 64 &- b
    return UInt256(
      w0: (w0 &>> b) | (w1 &<< c), w1: (w1 &>> b) | (w2 &<< c), w2: (w2 &>> b) | (w3 &<< c), w3: w3 &>> b)
  }

  /// Arithmetic shift right (SAR).
  public func arithmeticShiftedRight(by s: UInt256) -> UInt256 {
    let neg = isNegative
    guard s < UInt256(256) else { return neg ? .max : .zero }
    let n = Int(s.w0)
    if !neg { return self >> n }
    if n == 0 { return self }
    return (self >> n) | ~(UInt256.max >> n)
  }

  /// BYTE: the i-th byte counting from the most significant; 0 when i >= 32.
  @inlinable public func byte(at i: UInt256) -> UInt256 {
    guard i < UInt256(32) else { return .zero }
    let idx = 31 - Int(i.w0)
    return UInt256(UInt64((self[limb: idx / 8] >> UInt64((idx % 8) * 8)) & 0xff))
  }

  /// Exponentiation modulo 2^256.
  public func power(_ e: UInt256) -> UInt256 {
    var result = UInt256.one
    var base = self
    let bits = e.bitWidth
    var i = 0
    while i < bits {
      if (e[limb: i / 64] >> UInt64(i % 64)) & 1 == 1 { result = result &* base }
      i += 1
      if i < bits { base = base &* base }
    }
    return result
  }
}
