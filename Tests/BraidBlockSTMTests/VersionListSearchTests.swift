@testable import BraidBlockSTM
import Testing

/// A key's versions are found by transaction index: with guesses from the indices at both
/// ends, then halving. A wrong position would hand a reader another transaction's write, so
/// the search must equal a plain scan on every shape of list: dense runs, gaps, clusters.
struct VersionListSearchTests {
  typealias Entry = VersionedMemory<RandomBlockVM>.Entry

  static func entries(_ txns: [Int]) -> ContiguousArray<Entry> {
    ContiguousArray(txns.map { Entry(txn: $0, incarnation: 0, cell: .estimate) })
  }

  static func scan(_ txns: [Int], _ target: Int) -> Int {
    txns.firstIndex(where: { $0 >= target }) ?? txns.count
  }

  @Test func matchesAScanOnEveryShape() {
    var rng = SystemRandomNumberGenerator()
    var shapes: [[Int]] = [
      Array(0..<10_000),  // one sender's every transaction
      Array(stride(from: 3, to: 30_000, by: 3)),
      Array(0..<50) + Array(9_000..<9_050),  // two clusters far apart
      [5, 6, 7, 8, 9, 10, 11, 12, 13, 5_000],  // one outlier at the end
      [0, 4_000, 4_001, 4_002, 4_003, 4_004, 4_005, 4_006, 4_007, 4_008],  // one at the start
    ]
    for _ in 0..<50 {
      let count = Int.random(in: 2...2_000, using: &rng)
      shapes.append(Array(Set((0..<count).map { _ in Int.random(in: 0..<20_000, using: &rng) })).sorted())
    }
    for txns in shapes where txns.count >= 2 {
      let list = Self.entries(txns)
      var targets = [0, txns[0], txns[txns.count - 1], txns[txns.count - 1] + 1, Int.max]
      for _ in 0..<200 { targets.append(Int.random(in: 0...(txns[txns.count - 1] + 2), using: &rng)) }
      for t in txns.prefix(100) { targets.append(t) }
      for target in targets {
        #expect(
          KeyVersions<RandomBlockVM>.firstIndex(notBelow: target, in: list) == Self.scan(txns, target),
          "target \(target) in \(txns.count) entries from \(txns[0]) to \(txns[txns.count - 1])")
      }
    }
  }
}
