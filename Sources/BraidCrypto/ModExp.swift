/// The MODEXP precompile at 0x05 (EIP-198) with the Berlin gas schedule (EIP-2565).
///
/// Input: three 32-byte big-endian lengths (base, exponent, modulus), then the three numbers
/// back to back, big-endian. Input shorter than the lengths imply reads as if padded on the
/// right with zeros. Lengths are 256-bit and may be absurd; nothing here allocates in
/// proportion to a declared length except the output, whose size the gas has paid for.
import BraidPrimitives

public enum ModExp {
  /// EIP-2565: max(200, ⌊complexity · iterations / 3⌋), with complexity = ⌈max(Lb, Lm)/8⌉²
  /// and iterations from the exponent's length and its leading 32 bytes. Saturates at
  /// `UInt64.max` rather than overflowing, which no caller can pay.
  public static func gasCost(input: Bytes) -> UInt64 {
    let layout = Layout(input)
    let maxLength = max(layout.baseLength, layout.modulusLength)
    // L ≥ 2^128 makes the complexity alone about 2^250, far beyond any gas.
    guard maxLength.w2 == 0, maxLength.w3 == 0 else { return .max }
    let words = (maxLength &+ UInt256(7)) >> 3
    let complexity = words &* words  // words < 2^125: cannot wrap
    if complexity.isZero { return 200 }

    let iterations = iterationCount(layout, input)
    let (product, overflow) = complexity.multipliedReportingOverflow(by: iterations)
    guard !overflow else { return .max }
    let gas = product / UInt256(3)
    guard gas.fitsUInt64 else { return .max }
    return max(200, gas.w0)
  }

  /// EIP-2565's iteration_count, including the final max(…, 1). The exponent "head" is its
  /// first min(Le, 32) bytes; beyond 32 bytes each further byte counts 8.
  private static func iterationCount(_ layout: Layout, _ input: Bytes) -> UInt256 {
    let exponentLength = layout.exponentLength
    let headLength = min(exponentLength, UInt256(32)).clampedInt
    let head = UInt256(bigEndian: read(input, from: layout.exponentOffset, count: headLength))
    let headBits = UInt256(UInt64(max(head.bitWidth - 1, 0)))
    var count: UInt256
    if exponentLength <= UInt256(32) {
      count = headBits
    } else {
      // 8·(Le - 32) + headBits; Le < 2^256 so only the ·8 can overflow, and a count that
      // large makes the gas saturate anyway.
      let tail = exponentLength &- UInt256(32)
      guard tail.w3 >> 60 == 0 else { return .max }
      count = (tail << 3) &+ headBits
    }
    return max(count, .one)
  }

  /// Computes base^exponent mod modulus as exactly `modulus length` bytes, left-padded; a zero
  /// modulus gives all zeros. Call only after charging `gasCost(input:)`: that is what bounds
  /// the modulus length (the output size) and the exponent's length (the running time).
  public static func run(input: Bytes) -> Bytes {
    let layout = Layout(input)
    // The gas paid bounds the modulus length far below Int.max; clamping only keeps a
    // contract violation from trapping here rather than in the allocation.
    let modulusLength = layout.modulusLength.clampedInt
    if modulusLength == 0 { return [] }
    let modulus = Multiprecision.limbs(
      bigEndian: read(input, from: layout.modulusOffset, count: modulusLength))
    if modulus.isEmpty || Multiprecision.isOne(modulus) { return Bytes(repeating: 0, count: modulusLength) }
    // Input is only ever missing at its end, so a nonzero modulus means some of its bytes are
    // present, hence the base and exponent before it are present in full: both are bounded
    // by the input's size, however large their declared lengths.
    let exponentStart = layout.exponentOffset.clampedInt
    let modulusStart = layout.modulusOffset.clampedInt
    let base = Multiprecision.limbs(bigEndian: input[96..<exponentStart])
    let exponent = Multiprecision.limbs(bigEndian: input[exponentStart..<modulusStart])
    let result = Multiprecision.powMod(base: base, exponent: exponent, modulus: modulus)
    return Multiprecision.bigEndianBytes(result, count: modulusLength)
  }

  /// Where the three numbers sit in the input.
  private struct Layout {
    var baseLength: UInt256
    var exponentLength: UInt256
    var modulusLength: UInt256

    init(_ input: Bytes) {
      baseLength = UInt256(bigEndian: read(input, from: .zero, count: 32))
      exponentLength = UInt256(bigEndian: read(input, from: UInt256(32), count: 32))
      modulusLength = UInt256(bigEndian: read(input, from: UInt256(64), count: 32))
    }

    /// Offsets saturate: a number that starts past 2^256 lies past the input all the same.
    var exponentOffset: UInt256 { saturatingAdd(UInt256(96), baseLength) }
    var modulusOffset: UInt256 { saturatingAdd(exponentOffset, exponentLength) }
  }

  private static func saturatingAdd(_ a: UInt256, _ b: UInt256) -> UInt256 {
    let (s, o) = a.addingReportingOverflow(b)
    return o ? .max : s
  }

  /// `count` bytes of input starting at `offset`, zero-filled where the input ends.
  private static func read(_ input: Bytes, from offset: UInt256, count: Int) -> Bytes {
    var out = Bytes(repeating: 0, count: count)
    guard let start = offset.asInt, start < input.count else { return out }
    let available = min(count, input.count - start)
    out.replaceSubrange(0..<available, with: input[start..<(start + available)])
    return out
  }
}
