/// `AccountKeyTable`, the tracker's open-addressing map from address to trie key and
/// storage index, answers like a `Dictionary` through inserts, overwrites and removals
/// (removals shift later entries of a probe run back, which is where such tables break).
@testable import BraidExecution
import BraidPrimitives
import Testing

struct AccountKeyTableMatchesDictionary {
  @Test(arguments: [0, 5_000])
  func randomOperations(capacity: Int) {
    var table = AccountKeyTable(capacity: capacity)
    var reference: [Address: AccountKeyTable.Entry] = [:]
    var rng = SplitMix(state: UInt64(capacity) + 1)
    // Few distinct addresses, so that lookups, overwrites and removals hit present keys.
    let addresses = (0..<3_000).map { _ in Address(hi: rng.next(), mid: rng.next(), lo: UInt32(truncatingIfNeeded: rng.next())) }
    for step in 0..<40_000 {
      let a = addresses[Int(rng.next() % UInt64(addresses.count))]
      switch rng.next() % 3 {
      case 0:
        let entry = AccountKeyTable.Entry(key: Hash32(word: UInt256(rng.next())), storage: Int(rng.next() % 100) - 1)
        table[a] = entry
        reference[a] = entry
      case 1:
        #expect(table.removeValue(forKey: a)?.key == reference.removeValue(forKey: a)?.key, "step \(step)")
      default:
        let got = table[a]
        let want = reference[a]
        #expect(got?.key == want?.key && got?.storage == want?.storage, "step \(step)")
      }
      #expect(table.count == reference.count, "step \(step)")
    }
    for a in addresses {
      #expect(table[a]?.key == reference[a]?.key)
    }
  }
}
