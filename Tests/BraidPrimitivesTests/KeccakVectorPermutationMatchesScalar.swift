/// The AVX-512VL permutation (`CKeccakX4`) that `Keccak256` uses where the CPU has it gives
/// the scalar permutation's result on random states, so the hash vectors of
/// `Keccak256Tests` (which run on whichever this machine takes) hold for both.
import Testing

@testable import BraidPrimitives

@Test func vectorPermutationMatchesScalar() {
  guard KeccakState.vectorPermute else { return }  // no AVX-512VL here: only the scalar one runs
  var seed: UInt64 = 0x6b65_6363_616b
  func next() -> UInt64 {
    seed &+= 0x9e37_79b9_7f4a_7c15
    var z = seed
    z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
    z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
    return z ^ (z >> 31)
  }
  for _ in 0..<500 {
    var state = KeccakState()
    state.a0 = next(); state.a1 = next(); state.a2 = next(); state.a3 = next(); state.a4 = next()
    state.a5 = next(); state.a6 = next(); state.a7 = next(); state.a8 = next(); state.a9 = next()
    state.a10 = next(); state.a11 = next(); state.a12 = next(); state.a13 = next(); state.a14 = next()
    state.a15 = next(); state.a16 = next(); state.a17 = next(); state.a18 = next(); state.a19 = next()
    state.a20 = next(); state.a21 = next(); state.a22 = next(); state.a23 = next(); state.a24 = next()
    var scalar = state
    var vector = state
    scalar.scalarPermute()
    vector.vectorPermute()
    #expect(lanes(scalar) == lanes(vector))
  }
}

private func lanes(_ s: KeccakState) -> [UInt64] {
  [s.a0, s.a1, s.a2, s.a3, s.a4, s.a5, s.a6, s.a7, s.a8, s.a9, s.a10, s.a11, s.a12, s.a13, s.a14, s.a15, s.a16,
   s.a17, s.a18, s.a19, s.a20, s.a21, s.a22, s.a23, s.a24]
}
