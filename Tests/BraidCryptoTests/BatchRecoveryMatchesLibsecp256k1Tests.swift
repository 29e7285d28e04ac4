/// `Secp256k1.recoverPublicKeys` (eight lanes at once with AVX-512 IFMA where the CPU has it,
/// libsecp256k1 otherwise and for every lane the SIMD path declines) gives exactly what
/// `recoverPublicKey` gives one signature at a time: random signatures, every batch-size
/// shape, invalid inputs mixed in, and crafted signatures whose sum u1·G + u2·R is infinity
/// or needs a doubling (cases the SIMD path must hand back rather than answer).
///
/// On a CPU without IFMA these tests still run, through the fallback only; the checks that
/// the SIMD path answered are made only when `batchRecoveryUsesSIMD` is true, which it is
/// on the development and benchmark machines (AMD EPYC, Zen 4).
import BraidCrypto
import BraidPrimitives
import Testing

private let n = Secp256k1.curveOrder

fileprivate extension SplitMix {
  mutating func word() -> UInt256 { UInt256(w0: next(), w1: next(), w2: next(), w3: next()) }
  /// A scalar in [1, n - 1].
  mutating func scalar() -> UInt256 {
    while true {
      let v = word()
      if Secp256k1.isValidScalar(v) { return v }
    }
  }
}

private func negateModN(_ a: UInt256) -> UInt256 { a.isZero ? a : n - a }

/// A signature over a random hash by a random key; with `highS`, the equally valid (n - s)
/// form with the other recovery id.
private func signed(_ rng: inout SplitMix, highS: Bool = false) -> RecoveryInput {
  let hash = rng.word().bigEndianBytes
  let key = rng.scalar().bigEndianBytes
  let sig = Secp256k1.sign(hash: hash, privateKey: key)!
  if highS {
    return RecoveryInput(hash: Hash32(hash), r: sig.r, s: n - sig.s, recoveryId: sig.recoveryId ^ 1)
  }
  return RecoveryInput(hash: Hash32(hash), r: sig.r, s: sig.s, recoveryId: sig.recoveryId)
}

private func single(_ input: RecoveryInput) -> Bytes? {
  Secp256k1.recoverPublicKey(hash: input.hash.bytes, r: input.r, s: input.s, recoveryId: input.recoveryId)
}

/// Checks the batch against one-by-one recovery and returns how many lanes the SIMD path
/// answered.
@discardableResult
private func expectBatchMatchesSingle(_ inputs: [RecoveryInput], sourceLocation: SourceLocation = #_sourceLocation) -> Int {
  var simdLanes = 0
  let batch = Secp256k1.recoverPublicKeys(inputs, simdLanes: &simdLanes)
  #expect(batch.count == inputs.count, sourceLocation: sourceLocation)
  for (i, input) in inputs.enumerated() where i < batch.count {
    #expect(batch[i] == single(input), "input \(i)", sourceLocation: sourceLocation)
  }
  return simdLanes
}

@Test func randomSignaturesMatchOneByOneRecovery() {
  var rng = SplitMix(state: 1)
  let inputs = (0..<4000).map { i in signed(&rng, highS: i % 3 == 0) }
  let simdLanes = expectBatchMatchesSingle(inputs)
  if Secp256k1.batchRecoveryUsesSIMD {
    // Every one of these is an ordinary signature, so the SIMD path should answer them all.
    #expect(simdLanes == inputs.count)
  } else {
    #expect(simdLanes == 0)
  }
}

@Test(arguments: [0, 1, 2, 3, 7, 8, 9, 17])
func everyBatchSizeMatchesOneByOneRecovery(count: Int) {
  var rng = SplitMix(state: 100 + UInt64(count))
  let inputs = (0..<count).map { _ in signed(&rng) }
  let simdLanes = expectBatchMatchesSingle(inputs)
  if Secp256k1.batchRecoveryUsesSIMD && count >= 8 {
    #expect(simdLanes >= 8)
  }
}

@Test func invalidInputsMixedIntoBatchesMatchOneByOneRecovery() {
  var rng = SplitMix(state: 7)
  var invalid: [RecoveryInput] = []
  for _ in 0..<4 {
    let good = signed(&rng)
    var v = good
    v.r = .zero
    invalid.append(v)
    v = good
    v.s = .zero
    invalid.append(v)
    v = good
    v.r = n
    invalid.append(v)
    v = good
    v.r = n + UInt256(UInt64.random(in: 1...1000))
    invalid.append(v)
    v = good
    v.s = n
    invalid.append(v)
    v = good
    v.s = UInt256(w0: .max, w1: .max, w2: .max, w3: .max)
    invalid.append(v)
    // Recovery ids 2 and 3 ask for x = r + n, which for a random r is past p: invalid.
    v = good
    v.recoveryId = 2
    invalid.append(v)
    v = good
    v.recoveryId = 3
    invalid.append(v)
    v = good
    v.recoveryId = -1
    invalid.append(v)
    v = good
    v.recoveryId = 4
    invalid.append(v)
    // Random r: about half are not the x of any curve point.
    for _ in 0..<6 {
      v = good
      v.r = rng.scalar()
      invalid.append(v)
    }
    // High s is valid for recovery (the precompile's rule): a different key, same answer.
    invalid.append(signed(&rng, highS: true))
    // A zero hash makes u1 = 0, so u1·G is infinity.
    v = good
    v.hash = .zero
    invalid.append(v)
  }
  // Interleave with valid signatures so every group of eight mixes the two.
  var mixed: [RecoveryInput] = []
  for (i, bad) in invalid.enumerated() {
    mixed.append(bad)
    if i % 2 == 0 { mixed.append(signed(&rng)) }
  }
  let simdLanes = expectBatchMatchesSingle(mixed)
  if Secp256k1.batchRecoveryUsesSIMD { #expect(simdLanes > 0) }
}

/// A signature whose R is k·G for a chosen nonce k and whose u1, u2 are chosen too:
/// s = u2·r and z = -u1·r, so that the recovery computes exactly u1·G + u2·R.
private func crafted(_ rng: inout SplitMix, u1OfU2AndK: (UInt256, UInt256) -> UInt256) -> RecoveryInput? {
  let k = rng.scalar()
  let point = Secp256k1.publicKey(privateKey: k.bigEndianBytes)!
  let r = UInt256(bigEndian: point[0..<32])
  // x(R) ≥ n has probability about 2^-128; such an R would need recovery id 2 or 3.
  guard r < n else { return nil }
  let recoveryId = Int32(point[63] & 1)
  let u2 = rng.scalar()
  let u1 = u1OfU2AndK(u2, k)
  let s = UInt256.mulMod(u2, r, n)
  let z = negateModN(UInt256.mulMod(u1, r, n))
  return RecoveryInput(hash: Hash32(word: z), r: r, s: s, recoveryId: recoveryId)
}

@Test func sumAtInfinityIsLeftToLibsecp256k1() {
  var rng = SplitMix(state: 11)
  var inputs: [RecoveryInput] = []
  // u1 = -u2·k: u1·G + u2·R = (u1 + u2·k)·G = infinity, which no public key is.
  while inputs.count < 5 {
    if let c = crafted(&rng, u1OfU2AndK: { u2, k in negateModN(UInt256.mulMod(u2, k, n)) }) { inputs.append(c) }
  }
  for input in inputs { #expect(single(input) == nil) }
  let withValid = inputs + (0..<11).map { _ in signed(&rng) }
  let simdLanes = expectBatchMatchesSingle(withValid)
  if Secp256k1.batchRecoveryUsesSIMD { #expect(simdLanes == 11) }
}

@Test func doublingCollisionIsLeftToLibsecp256k1() {
  var rng = SplitMix(state: 12)
  var inputs: [RecoveryInput] = []
  var expected: [Bytes] = []
  // u1 = u2·k: u1·G and u2·R are the same point, so their sum is a doubling: 2·u1·G.
  while inputs.count < 5 {
    var u1Used = UInt256.zero
    if let c = crafted(&rng, u1OfU2AndK: { u2, k in
      u1Used = UInt256.mulMod(u2, k, n)
      return u1Used
    }) {
      inputs.append(c)
      expected.append(Secp256k1.publicKey(privateKey: UInt256.addMod(u1Used, u1Used, n).bigEndianBytes)!)
    }
  }
  for (input, key) in zip(inputs, expected) { #expect(single(input) == key) }
  let withValid = (0..<3).map { _ in signed(&rng) } + inputs + (0..<8).map { _ in signed(&rng) }
  let simdLanes = expectBatchMatchesSingle(withValid)
  if Secp256k1.batchRecoveryUsesSIMD { #expect(simdLanes == 11) }
}
