/// Transactions submitted one per request have their senders recovered together on the
/// recovery thread (`SenderRecovery`): each submitter gets exactly its own transaction's
/// result, the one `AdmissionRules.decode` gives, whatever else shares its round, and the
/// node admits through it as it did one by one.
import BraidEVM
import BraidPrimitives
import BraidRPC
import Dispatch
import Foundation
import Synchronization
import Testing

@testable import BraidNode

@Suite struct SingleSubmissionsShareSenderRecovery {
  static let rules = AdmissionRules(chainId: Fixture.chainId, blockGasLimit: 30_000_000)

  static func describe(_ result: Result<SignedTransaction, AdmissionError>) -> String {
    switch result {
    case .success(let s): "\(s.hash) \(s.transaction)"
    case .failure(let e): "refused: \(e.message)"
    }
  }

  static func expected(_ raw: Bytes) -> String {
    do { return describe(.success(try rules.decode(raw))) } catch { return describe(.failure(error)) }
  }

  /// Collects what each continuation was called with, by the index it was queued under.
  final class Answers: Sendable {
    let got = Mutex<[Int: [String]]>([:])
    func record(_ i: Int, _ result: Result<SignedTransaction, AdmissionError>) {
      got.withLock { $0[i, default: []].append(SingleSubmissionsShareSenderRecovery.describe(result)) }
    }
    func wait(for count: Int) -> [Int: [String]] {
      for _ in 0..<2000 {
        let g = got.withLock { $0 }
        if g.count >= count { return g }
        usleep(5000)
      }
      return got.withLock { $0 }
    }
  }

  @Test func aHeldRoundIsRecoveredTogetherAndEachGetsItsOwnResult() throws {
    guard SenderRecovery.isWorthwhile else { return }
    let raws = try BatchDecodeMatchesOneByOne.mixed()
    let recovery = SenderRecovery(rules: Self.rules)
    defer { recovery.stop() }
    let answers = Answers()
    recovery.holdingRounds {
      for (i, raw) in raws.enumerated() { recovery.decode(raw) { answers.record(i, $0) } }
    }
    let got = answers.wait(for: raws.count)
    #expect(recovery.largestRound == raws.count)
    for (i, raw) in raws.enumerated() {
      #expect(got[i] == [Self.expected(raw)], "transaction \(i)")
    }
  }

  @Test func concurrentSubmittersEachGetTheirOwnResultOnce() throws {
    guard SenderRecovery.isWorthwhile else { return }
    let raws = try BatchDecodeMatchesOneByOne.mixed()
    let recovery = SenderRecovery(rules: Self.rules)
    let answers = Answers()
    let threads = 8
    DispatchQueue.concurrentPerform(iterations: threads) { t in
      for (k, raw) in raws.enumerated() { recovery.decode(raw) { answers.record(t * raws.count + k, $0) } }
    }
    // Whatever is still queued is finished before stop returns.
    recovery.stop()
    let got = answers.wait(for: threads * raws.count)
    #expect(got.count == threads * raws.count)
    for t in 0..<threads {
      for (k, raw) in raws.enumerated() {
        #expect(got[t * raws.count + k] == [Self.expected(raw)], "thread \(t), transaction \(k)")
      }
    }
    // After stop, on the caller's thread.
    let after = Mutex<String?>(nil)
    recovery.decode(raws[0]) { r in after.withLock { $0 = Self.describe(r) } }
    #expect(after.withLock { $0 } == Self.expected(raws[0]))
  }

  @Test func theNodeAdmitsSingleSubmissionsThroughIt() throws {
    let node = NodeChain(NodeConfiguration(genesis: Genesis(chainId: Fixture.chainId, alloc: Fixture.state(senders: 4).accounts)))
    defer { node.stop() }
    let good = (0..<4).flatMap { s in
      (0..<5).map { n in Fixture.transfer(from: s, nonce: UInt64(n), to: Fixture.address((s + 1) % 4), value: 1) }
    }
    // Gas below the intrinsic cost, and bytes that are no transaction.
    let refused = [Fixture.transfer(from: 0, nonce: 9, to: Fixture.address(1), gas: 20_000), [0xc0]]
    let raws = good + refused
    let results = Mutex<[Int: Result<Hash32, RPCError>]>([:])
    DispatchQueue.concurrentPerform(iterations: raws.count) { i in
      node.submit(rawTransaction: raws[i]) { r in results.withLock { $0[i] = r } }
    }
    for _ in 0..<2000 where results.withLock({ $0.count }) < raws.count { usleep(5000) }
    let got = results.withLock { $0 }
    #expect(got.count == raws.count)
    for i in good.indices {
      #expect((try? got[i]?.get()) == Keccak256.hash(good[i]), "transaction \(i)")
    }
    #expect(node.mempool.count == good.count)
    for i in good.count..<raws.count {
      if case .success = got[i] { Issue.record("submission \(i) was accepted") }
    }
    // The same transaction again, now that the pool has it.
    let again = Mutex<Result<Hash32, RPCError>?>(nil)
    node.submit(rawTransaction: good[0]) { r in again.withLock { $0 = r } }
    for _ in 0..<2000 where again.withLock({ $0 == nil }) { usleep(5000) }
    guard case .failure(let error) = again.withLock({ $0 }) else {
      Issue.record("a duplicate was accepted")
      return
    }
    #expect("\(error)".contains("already known"))
  }
}
