@testable import BraidBlockSTM
import Testing

/// A shard's table keeps only 31 bits of each key's hash in its buckets, and deletion moves
/// later buckets of a probe run back. A lookup that missed a moved key would make a read
/// skip a lower transaction's write; one that confused two keys with the same stored bits
/// would hand one key's versions to another. So: random inserts and removals over keys
/// whose hashes collide on purpose (the same home bucket, the same stored bits, runs that
/// wrap past the table's end), compared after every step with a dictionary.
struct KeyTableMatchesDictionary {
  typealias Table = KeyTable<RandomBlockVM>

  /// Keys 0..<count, hashed into a few homes, several sharing all of the bits a bucket
  /// keeps; the low 8 bits (the shard) vary, as they would not within one shard, and must
  /// not matter.
  static func hash(of key: Int, homes: Int) -> Int {
    let home = key % homes
    // Bits 8 and up choose the home; near the top of a 16-bucket table some homes wrap.
    return (home << 8 | (key & 0xff)) | (key % 7 == 0 ? 0 : key << 40)
  }

  @Test(arguments: [1, 3, 16])
  func randomInsertsAndRemovals(homes: Int) {
    var rng = SeededGenerator(seed: 0x7ab1e + UInt64(homes))
    var table = Table(minimumCapacity: 4)
    var model: [Int: Int] = [:]  // key -> the txn of its single version
    for step in 0..<4_000 {
      let key = Int.random(in: 0..<64, using: &rng)
      let hashed = HashedKey(key, hash: Self.hash(of: key, homes: homes))
      if model[key] == nil || Bool.random(using: &rng) {
        let txn = step
        let entry = VersionedMemory<RandomBlockVM>.Entry(txn: txn, incarnation: 0, cell: .write(.value(1)))
        table.insert(hashed, entry)
        if model[key] == nil {
          model[key] = txn
        } else {
          // A second version of the same key, then the first removed: one entry stays.
          let i = table.find(hashed)!
          let othersLeft = table.entries[i].versions.remove(txn: model[key]!)
          #expect(othersLeft)
          model[key] = txn
        }
      } else {
        let i = table.find(hashed)!
        let othersLeft = table.entries[i].versions.remove(txn: model[key]!)
        #expect(!othersLeft)
        table.remove(entry: i)
        model[key] = nil
      }
      #expect(table.count == model.count, "step \(step)")
      for probe in 0..<64 {
        let found = table.find(HashedKey(probe, hash: Self.hash(of: probe, homes: homes)))
        if let txn = model[probe] {
          guard let i = found else {
            Issue.record("step \(step): key \(probe) lost")
            return
          }
          #expect(table.entries[i].key == probe)
          guard case .one(let entry) = table.entries[i].versions else {
            Issue.record("step \(step): key \(probe) has more than one version")
            return
          }
          #expect(entry.txn == txn)
        } else {
          #expect(found == nil, "step \(step): removed key \(probe) still found")
        }
      }
    }
  }
}
