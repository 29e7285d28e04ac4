@testable import BraidBlockSTM
import Testing

/// The lock-free summary of written keys lets a read skip versioned memory only when no
/// lower transaction can have written the key. A wrong "no writer" would make a read miss a
/// write and Block-STM commit a wrong value, so every case where a lower writer exists must
/// answer "maybe", including transaction indices beyond the summary's 16-bit slots.
struct WrittenKeysSummaryTests {
  @Test func lowestWriterDecides() {
    let summary = WrittenKeys(expectedKeys: 100)
    let hash = 0x1234_5678
    for txn in [0, 5, 1_000] { #expect(!summary.mayHaveWriter(hash, below: txn)) }
    summary.insert(hash, by: 40)
    #expect(!summary.mayHaveWriter(hash, below: 40), "a transaction's own write is not below it")
    #expect(!summary.mayHaveWriter(hash, below: 3))
    #expect(summary.mayHaveWriter(hash, below: 41))
    summary.insert(hash, by: 70)
    #expect(!summary.mayHaveWriter(hash, below: 40), "a higher writer must not raise the slot")
    summary.insert(hash, by: 10)
    #expect(summary.mayHaveWriter(hash, below: 11))
    #expect(!summary.mayHaveWriter(hash, below: 10))
  }

  @Test func indicesBeyondSixteenBitsStayConservative() {
    let summary = WrittenKeys(expectedKeys: 100)
    let hash = 77
    summary.insert(hash, by: 100_000)
    #expect(!summary.mayHaveWriter(hash, below: 1_000), "a reader below the clamp")
    #expect(summary.mayHaveWriter(hash, below: 100_001))
    // The clamp hides the writer's exact index: a reader between the clamp and the writer
    // probes in vain, which costs time, never a missed write.
    #expect(summary.mayHaveWriter(hash, below: 70_000))
  }

  @Test func everyLowerWriterIsSeenAcrossManyKeys() {
    let summary = WrittenKeys(expectedKeys: 64)
    var lowest: [Int: Int] = [:]
    var rng = SystemRandomNumberGenerator()
    for _ in 0..<5_000 {
      let hash = Int.random(in: 1...1_000_000, using: &rng)
      let txn = Int.random(in: 0..<80_000, using: &rng)
      summary.insert(hash, by: txn)
      lowest[hash] = min(lowest[hash] ?? .max, txn)
    }
    for (hash, writer) in lowest {
      #expect(summary.mayHaveWriter(hash, below: writer + 1))
    }
  }
}
