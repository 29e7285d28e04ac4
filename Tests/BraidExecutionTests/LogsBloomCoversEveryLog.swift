@testable import BraidExecution
import BraidEVM
import BraidPrimitives
import Testing

/// Each outcome's logs bloom is made where the transaction executes, with the hashes of
/// addresses and first topics remembered per thread in a few dozen slots. A slot taken by
/// another value must mean hashing again, never a wrong hash: the bloom must equal the one
/// built from every log's address and topics, on any thread, with more distinct addresses
/// and signatures than the memo has slots.
struct LogsBloomCoversEveryLog {
  static func logs(seed: UInt64, count: Int) -> [Log] {
    var state = seed
    func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      return z ^ (z >> 27)
    }
    return (0..<count).map { _ in
      // 200 addresses and 150 signatures: repeats, and more than the memo's slots.
      var addressBytes = [UInt8](repeating: 0, count: 20)
      addressBytes[19] = UInt8(truncatingIfNeeded: next() % 200)
      addressBytes[0] = 0xaa
      let signature = Hash32(word: UInt256(next() % 150 + 1))
      let topics = [signature] + (0..<Int(next() % 4)).map { _ in Hash32(word: UInt256(next())) }
      return Log(address: Address(addressBytes), topics: topics, data: [])
    }
  }

  static func reference(_ logs: [Log]) -> Bloom {
    var bloom = Bloom()
    for log in logs { bloom.add(log: log.address, topics: log.topics) }
    return bloom
  }

  @Test func bloomMatchesEveryLog() {
    for seed in UInt64(1)...40 {
      let logs = Self.logs(seed: seed, count: Int(seed % 7))
      let t = ExecutedTransaction(type: 2, success: true, gasUsed: 21_000, logs: logs, createdAddress: nil)
      #expect((t.bloom?.bloom ?? .empty) == Self.reference(logs), "seed \(seed)")
      #expect((t.bloom == nil) == logs.isEmpty)
    }
  }

  @Test func receiptsCarryTheBloom() {
    let outcomes: [TransactionOutcome] = (UInt64(1)...30).map { seed in
      seed % 5 == 0
        ? .excluded(.nonceTooLow(expected: 1, got: 0))
        : .executed(
          ExecutedTransaction(
            type: 2, success: true, gasUsed: seed, logs: Self.logs(seed: seed, count: Int(seed % 4)),
            createdAddress: nil))
    }
    let receipts = makeReceipts(outcomes)
    var cumulative: UInt64 = 0
    var i = 0
    for case .executed(let t) in outcomes {
      cumulative += t.gasUsed
      #expect(receipts[i].logsBloom == Self.reference(t.logs))
      #expect(receipts[i].cumulativeGasUsed == cumulative)
      i += 1
    }
    #expect(receipts.count == i)
  }

  @Test func everyThreadGetsTheSameBloom() async {
    let logs = Self.logs(seed: 99, count: 400)
    let expected = Self.reference(logs)
    await withTaskGroup(of: Bool.self) { group in
      for _ in 0..<4 {
        group.addTask {
          var bloom = Bloom()
          for chunk in stride(from: 0, to: logs.count, by: 3) {
            let part = Array(logs[chunk..<min(chunk + 3, logs.count)])
            let t = ExecutedTransaction(type: 2, success: true, gasUsed: 1, logs: part, createdAddress: nil)
            if let b = t.bloom?.bloom { bloom.formUnion(b) }
          }
          return bloom == expected
        }
      }
      for await matched in group { #expect(matched) }
    }
  }
}
