/// Batched public-key recovery: groups of eight signatures go through CRecoverX8 (AVX-512
/// IFMA, several times faster per signature than libsecp256k1 one by one) where the CPU has
/// it; every lane that path does not claim, and the remainder, go through libsecp256k1, so
/// the results are exactly those of `recoverPublicKey`.
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import BraidPrimitives
import CRecoverX8

/// One signature to recover a public key from.
public struct RecoveryInput: Sendable {
  public var hash: Hash32
  public var r: UInt256
  public var s: UInt256
  public var recoveryId: Int32

  public init(hash: Hash32, r: UInt256, s: UInt256, recoveryId: Int32) {
    self.hash = hash
    self.r = r
    self.s = s
    self.recoveryId = recoveryId
  }
}

extension Secp256k1 {
  /// Whether `recoverPublicKeys` uses the eight-lane SIMD path: the CPU has AVX-512F, DQ and
  /// IFMA, and the environment does not say `BRAID_SECP256K1_X8=0` (an A/B switch and an
  /// operator's escape hatch). Read once, at first use.
  public static let batchRecoveryUsesSIMD: Bool = {
    if let v = getenv("BRAID_SECP256K1_X8"), String(cString: v) == "0" { return false }
    return braid_recover_x8_available() == 1
  }()

  /// A leftover group of at least this many signatures is padded to eight and run through
  /// the SIMD path: eight lanes there (about 75 µs on the Zen 4 development machine) cost
  /// less than two libsecp256k1 calls (about 45 µs each).
  static let smallestPaddedGroup = 2

  /// Same results as mapping `recoverPublicKey` over `inputs`, in order.
  ///
  /// Safe to call concurrently from any number of threads.
  public static func recoverPublicKeys(_ inputs: [RecoveryInput]) -> [Bytes?] {
    var simdLanes = 0
    return recoverPublicKeys(inputs, simdLanes: &simdLanes)
  }

  /// `recoverPublicKeys`, also adding to `simdLanes` how many results the SIMD path gave
  /// (padding lanes not counted): for tests and benchmarks that must know it really ran.
  public static func recoverPublicKeys(_ inputs: [RecoveryInput], simdLanes: inout Int) -> [Bytes?] {
    var results = [Bytes?](repeating: nil, count: inputs.count)
    var next = 0
    if batchRecoveryUsesSIMD {
      withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 3 * 256 + 8 + 512 + 8) { buffer in
        let base = buffer.baseAddress!
        let hashes = base, rs = base + 256, ss = base + 512, ids = base + 768
        let pub = base + 776, status = base + 1288
        while inputs.count - next >= smallestPaddedGroup {
          let lanes = min(8, inputs.count - next)
          for lane in 0..<8 {
            // Padding lanes repeat the group's first signature; their results are ignored.
            let input = inputs[next + (lane < lanes ? lane : 0)]
            input.hash.word.storeBigEndian(to: hashes + 32 * lane)
            input.r.storeBigEndian(to: rs + 32 * lane)
            input.s.storeBigEndian(to: ss + 32 * lane)
            // Anything outside 0...3 becomes 255, which the SIMD path refuses; the fallback
            // then rejects it as `recoverPublicKey` does.
            ids[lane] = (0...3).contains(input.recoveryId) ? UInt8(input.recoveryId) : 255
          }
          braid_recover_x8(hashes, rs, ss, ids, pub, status)
          for lane in 0..<lanes {
            if status[lane] == 1 {
              results[next + lane] = Bytes(UnsafeBufferPointer(start: pub + 64 * lane, count: 64))
              simdLanes += 1
            } else {
              results[next + lane] = recoverOne(inputs[next + lane])
            }
          }
          next += lanes
        }
      }
    }
    while next < inputs.count {
      results[next] = recoverOne(inputs[next])
      next += 1
    }
    return results
  }

  /// Runs one small batch, so that the SIMD path's one-off set-up (a table of multiples of
  /// G, about 80 ms) happens now, at a server's start, rather than in its first request.
  public static func prepareBatchRecovery() {
    guard batchRecoveryUsesSIMD else { return }
    let hash = Hash32(word: UInt256(0xb4a1d))
    guard let (r, s, id) = sign(hash: hash.bytes, privateKey: UInt256(7).bigEndianBytes) else { return }
    _ = recoverPublicKeys(Array(repeating: RecoveryInput(hash: hash, r: r, s: s, recoveryId: id), count: 2))
  }

  private static func recoverOne(_ input: RecoveryInput) -> Bytes? {
    recoverPublicKey(hash: input.hash.bytes, r: input.r, s: input.s, recoveryId: input.recoveryId)
  }
}
