/// `SignedTransaction.decodeAll` and `AdmissionRules.decodeAll`, which recover many senders
/// together (eight at a time in SIMD where the CPU can): for every transaction the same
/// sender, hash and refusal as the one-by-one decode, in order, whatever is mixed in around it.
import BraidEVM
import BraidPrimitives
import BraidRPC
import Testing

@testable import BraidNode

struct BatchDecodeMatchesOneByOne {
  /// A well-formed signature whose r is no curve point's x: refused only by the recovery.
  static func unrecoverable() throws -> Bytes {
    let dynamic = try KnownSenderDecodeMatchesRecovery.signedSamples()[3].raw
    for x in 1...UInt64(64) {
      let raw = try KnownSenderDecodeMatchesRecovery.rewrite(dynamic) { $0[$0.count - 2] = .uint(x) }
      do { _ = try SignedTransaction.decode(raw) } catch .invalidSignature { return raw }
    }
    Issue.record("no small r without a curve point")
    return dynamic
  }

  /// Signed samples, refused ones and unrecoverable ones interleaved, long enough to fill
  /// several groups of eight and leave a remainder.
  static func mixed() throws -> [Bytes] {
    let good = try KnownSenderDecodeMatchesRecovery.signedSamples().map(\.raw)
    let bad = try KnownSenderDecodeMatchesRecovery.refusedSamples().map(\.raw)
    let unrecoverable = try unrecoverable()
    var out: [Bytes] = []
    for round in 0..<5 {
      out += good
      out.append(bad[round % bad.count])
      if round % 2 == 0 { out.append(unrecoverable) }
      out += good.reversed()
    }
    return out
  }

  static func describe(_ result: Result<SignedTransaction, TransactionDecodingError>) -> String {
    switch result {
    case .success(let s): "\(s.hash) \(s.transaction)"
    case .failure(let e): "refused: \(e)"
    }
  }

  @Test func signedTransactionDecodeAllGivesWhatDecodeGives() throws {
    let raws = try Self.mixed()
    let batch = SignedTransaction.decodeAll(raws)
    #expect(batch.count == raws.count)
    var accepted = 0
    for (i, raw) in raws.enumerated() {
      let single: Result<SignedTransaction, TransactionDecodingError>
      do { single = .success(try SignedTransaction.decode(raw)) } catch { single = .failure(error) }
      if case .success = single { accepted += 1 }
      #expect(Self.describe(batch[i]) == Self.describe(single), "transaction \(i)")
    }
    #expect(accepted >= 40 && accepted < raws.count)
  }

  @Test func batchesOfEverySizeUpToSeventeen() throws {
    let good = try KnownSenderDecodeMatchesRecovery.signedSamples()
    for size in 0...17 {
      let picks = (0..<size).map { good[$0 % good.count] }
      let batch = SignedTransaction.decodeAll(picks.map(\.raw))
      #expect(batch.count == size)
      for (k, result) in batch.enumerated() {
        #expect((try? result.get())?.transaction.sender == picks[k].signer, "size \(size), item \(k)")
      }
    }
  }

  @Test func admissionDecodeAllRefusesWhatDecodeRefuses() throws {
    let rules = AdmissionRules(chainId: Fixture.chainId, blockGasLimit: 30_000_000, maxTransactionBytes: 400)
    let good = try KnownSenderDecodeMatchesRecovery.signedSamples().map(\.raw)
    let raws = good + [[3] + good[3].dropFirst(), Bytes(repeating: 0xc0, count: 401)] + good + [[]]
    let batch = rules.decodeAll(raws)
    #expect(batch.count == raws.count)
    for (i, raw) in raws.enumerated() {
      var single = ""
      do { single = "\(try rules.decode(raw).transaction)" } catch { single = "refused: \(error.message)" }
      let got: String
      switch batch[i] {
      case .success(let s): got = "\(s.transaction)"
      case .failure(let e): got = "refused: \(e.message)"
      }
      #expect(got == single, "transaction \(i)")
    }
  }
}
