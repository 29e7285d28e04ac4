/// Rough timings of the costly primitives, for sizing (senders are recovered on the HTTP
/// threads; MODEXP's worst cases must stay in milliseconds). Opt-in, since timings are only
/// meaningful in a release build:
/// `BRAID_CRYPTO_TIMING=1 swift test -c release -Xswiftc -enable-testing --filter CryptoTiming`
import BraidCrypto
import BraidPrimitives
import Foundation
import Testing

private let timingEnabled = ProcessInfo.processInfo.environment["BRAID_CRYPTO_TIMING"] != nil

/// Mean microseconds per call over `iterations` calls, after one warm-up call.
private func microseconds(_ iterations: Int, _ body: () -> Void) -> Double {
  body()
  let elapsed = ContinuousClock().measure { for _ in 0..<iterations { body() } }
  let (seconds, attoseconds) = elapsed.components
  return (Double(seconds) + Double(attoseconds) * 1e-18) * 1e6 / Double(iterations)
}

@Suite(.enabled(if: timingEnabled)) struct CryptoTiming {
  @Test func recoverPublicKey() throws {
    let key = try Hex.decode("0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8")
    let hash = Bytes(0..<32)
    let sig = try #require(Secp256k1.sign(hash: hash, privateKey: key))
    var ok = true
    let us = microseconds(5000) {
      ok = ok && Secp256k1.recoverPublicKey(hash: hash, r: sig.r, s: sig.s, recoveryId: sig.recoveryId) != nil
    }
    #expect(ok)
    print("secp256k1 recover: \(String(format: "%.1f", us)) µs")
  }

  @Test func hashes() {
    let data = Bytes(repeating: 0x61, count: 1024)
    print("sha256 1 KiB: \(String(format: "%.2f", microseconds(20000) { _ = Hashes.sha256(data) })) µs")
    print("ripemd160 1 KiB: \(String(format: "%.2f", microseconds(20000) { _ = Hashes.ripemd160(data) })) µs")
    var f = Bytes(repeating: 0, count: 213)
    f[3] = 12
    print(
      "blake2f 12 rounds: \(String(format: "%.2f", microseconds(20000) { _ = Blake2F.compress(input: f) })) µs"
    )
  }

  @Test(arguments: [1024, 2048, 4096])
  func modexpFullExponent(bits: Int) {
    // Worst case for a given size: exponent as long as the modulus, all bits random.
    var state: UInt64 = 7
    func randomBytes(_ n: Int) -> Bytes {
      (0..<n).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return UInt8(truncatingIfNeeded: state >> 33)
      }
    }
    let n = bits / 8
    let header = UInt256(n).bigEndianBytes + UInt256(n).bigEndianBytes + UInt256(n).bigEndianBytes
    var odd = randomBytes(n)
    odd[0] |= 0x80
    odd[n - 1] |= 1
    var even = odd
    even[n - 1] &= 0xf0
    let base = randomBytes(n)
    let exponent = randomBytes(n)
    let oddInput = header + base + exponent + odd
    let evenInput = header + base + exponent + even
    let oddUs = microseconds(3) { _ = ModExp.run(input: oddInput) }
    let evenUs = microseconds(3) { _ = ModExp.run(input: evenInput) }
    print(
      "modexp \(bits)-bit, \(bits)-bit exponent: odd modulus \(String(format: "%.2f", oddUs / 1000)) ms, "
        + "even \(String(format: "%.2f", evenUs / 1000)) ms, gas \(ModExp.gasCost(input: oddInput))")
  }
}
