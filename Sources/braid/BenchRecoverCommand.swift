/// `braid bench recover`: microseconds per ECDSA public-key recovery, libsecp256k1 one
/// signature at a time against `Secp256k1.recoverPublicKeys` (eight lanes of AVX-512 IFMA
/// where the CPU has it), both on one thread, with the two answers checked equal.
import ArgumentParser
import BraidCrypto
import BraidPrimitives

struct BenchRecoverCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "recover", abstract: "Time secp256k1 public-key recovery: one by one against the batch path.")

  @Option(help: "Signatures per run (random keys and hashes).")
  var count = 4000

  @Option(help: "Timed runs of each; the median is reported.")
  var runs = 3

  func validate() throws {
    guard count >= 1 else { throw ValidationError("--count must be at least 1") }
    guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
  }

  func run() throws {
    var rng = SystemRandomNumberGenerator()
    var inputs: [RecoveryInput] = []
    inputs.reserveCapacity(count)
    while inputs.count < count {
      let hash = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
      let key = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
      guard let sig = Secp256k1.sign(hash: hash, privateKey: key) else { continue }
      inputs.append(RecoveryInput(hash: Hash32(hash), r: sig.r, s: sig.s, recoveryId: sig.recoveryId))
    }

    var single: [Bytes?] = []
    let singleMicros = Self.medianMicrosPerItem(runs: runs, items: count) {
      single = inputs.map {
        Secp256k1.recoverPublicKey(hash: $0.hash.bytes, r: $0.r, s: $0.s, recoveryId: $0.recoveryId)
      }
    }
    var batch: [Bytes?] = []
    var simdLanes = 0
    let batchMicros = Self.medianMicrosPerItem(runs: runs, items: count) {
      simdLanes = 0
      batch = Secp256k1.recoverPublicKeys(inputs, simdLanes: &simdLanes)
    }
    guard single == batch, !single.contains(where: { $0 == nil }) else {
      throw InputError("batch recovery disagrees with libsecp256k1")
    }
    let speedup = singleMicros / batchMicros
    print(
      #"{"count":\#(count),"libsecp256k1_us_per_sig":\#(Self.rounded(singleMicros)),"#
        + #""batch_us_per_sig":\#(Self.rounded(batchMicros)),"speedup":\#(Self.rounded(speedup)),"#
        + #""simd":\#(Secp256k1.batchRecoveryUsesSIMD),"simd_lanes":\#(simdLanes)}"#)
  }

  private static func rounded(_ v: Double) -> Double { (v * 100).rounded() / 100 }

  private static func medianMicrosPerItem(runs: Int, items: Int, _ body: () -> Void) -> Double {
    var samples: [Double] = []
    for _ in 0..<runs {
      let elapsed = ContinuousClock().measure(body)
      let (s, atto) = elapsed.components
      samples.append((Double(s) * 1e6 + Double(atto) * 1e-12) / Double(items))
    }
    return samples.sorted()[samples.count / 2]
  }
}
