/// Precompiled contracts 0x01–0x0a with their Cancun gas costs. The cryptography lives in
/// BraidCrypto; this file prices the calls and adapts inputs and outputs.
import BraidCrypto
import BraidPrimitives

enum Precompiles {
  static let ripemdAddress = Address(hi: 0, mid: 0, lo: 3)
  static let count: UInt32 = 10

  /// The precompile number (1...10) for an address, or nil.
  @inline(__always) static func id(_ a: Address) -> Int? {
    (a.hi | a.mid) == 0 && a.lo >= 1 && a.lo <= count ? Int(a.lo) : nil
  }

  static func run(_ id: Int, input: Bytes, gas: Int) -> FrameResult {
    let words = Gas.words(input.count)
    var cost: Int
    switch id {
    case 1: cost = 3000
    case 2: cost = 60 + 12 * words
    case 3: cost = 600 + 120 * words
    case 4: cost = 15 + 3 * words
    case 5: cost = Int(clamping: ModExp.gasCost(input: input))
    case 6: cost = 150
    case 7: cost = 6000
    case 8:
      cost = 45000 + 34000 * (input.count / 192)
    case 9:
      guard input.count == 213 else { return .failed() }
      cost = Int(UInt32(input[0]) << 24 | UInt32(input[1]) << 16 | UInt32(input[2]) << 8 | UInt32(input[3]))
    default:
      // 0x0a, KZG point evaluation (EIP-4844): no KZG library is available here, so the
      // call fails like any precompile given bad input.
      return .failed()
    }
    guard cost <= gas else { return .failed() }
    let left = gas - cost
    let output: Bytes?
    switch id {
    case 1: output = ecrecover(input)
    case 2: output = Hashes.sha256(input)
    case 3: output = Bytes(repeating: 0, count: 12) + Hashes.ripemd160(input)
    case 4: output = input
    case 5: output = ModExp.run(input: input)
    case 6: output = BN254.add(input)
    case 7: output = BN254.mul(input)
    case 8: output = input.count % 192 == 0 ? BN254.pairing(input) : nil
    default: output = Blake2F.compress(input: input)
    }
    guard let out = output else { return .failed() }
    return FrameResult(status: .success, gasLeft: left, output: out)
  }

  /// ECRECOVER: an invalid signature is not an error, it returns empty output.
  static func ecrecover(_ input: Bytes) -> Bytes {
    var padded = input
    if padded.count < 128 { padded += Bytes(repeating: 0, count: 128 - padded.count) }
    let v = UInt256(bigEndian: padded[32..<64])
    guard v == UInt256(27) || v == UInt256(28) else { return [] }
    let r = UInt256(bigEndian: padded[64..<96]), s = UInt256(bigEndian: padded[96..<128])
    guard let pub = Secp256k1.recoverPublicKey(hash: Array(padded[0..<32]), r: r, s: s, recoveryId: Int32(v.w0 - 27))
    else { return [] }
    return Bytes(repeating: 0, count: 12) + Keccak256.hash(pub).bytes[12...]
  }
}
