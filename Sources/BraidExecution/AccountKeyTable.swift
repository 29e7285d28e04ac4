/// What `StateRootTracker` remembers per account: keccak256 of its address (its key in the
/// state trie) and which storage trie is its. An open-addressing table with linear probing,
/// the address and what it maps to side by side, and the address folded by `HashMixing`
/// (random keys per process, so that chosen addresses cannot be made to collide): a
/// `[Address: Entry]` lookup, with SipHash and separate key and value arrays, showed in the
/// profile of a block's root at several per cent, and the tracker looks every touched
/// account up once or twice per block.
import BraidPrimitives

struct AccountKeyTable: Sendable {
  struct Entry: Sendable {
    /// keccak256(address): the account's key in the state trie.
    let key: Hash32
    /// Its storage trie in `StateRootTracker.storageTries`, or -1 while it has none.
    var storage: Int
  }

  private struct Bucket: Sendable {
    var address: Address
    var key: Hash32
    /// `Entry.storage`, or `empty` for a free bucket.
    var storage: Int
  }

  private static let empty = Int.min

  private var buckets: [Bucket] = []
  private(set) var count = 0
  /// 64 - log2(buckets.count): the mixed address's top bits pick the bucket.
  private var shift: UInt64 = 64

  init(capacity: Int = 0) {
    var size = 64
    while size < capacity * 2 { size *= 2 }
    allocate(size)
  }

  subscript(address: Address) -> Entry? {
    get {
      let i = find(address)
      let b = buckets[i]
      return b.storage == Self.empty ? nil : Entry(key: b.key, storage: b.storage)
    }
    set {
      guard let entry = newValue else {
        removeValue(forKey: address)
        return
      }
      var i = find(address)
      if buckets[i].storage == Self.empty {
        if (count + 1) * 2 > buckets.count {
          grow()
          i = find(address)
        }
        count += 1
      }
      buckets[i] = Bucket(address: address, key: entry.key, storage: entry.storage)
    }
  }

  @discardableResult
  mutating func removeValue(forKey address: Address) -> Entry? {
    var i = find(address)
    let b = buckets[i]
    guard b.storage != Self.empty else { return nil }
    count -= 1
    // Backward-shift deletion: later entries of the probe run move into the hole when
    // their home bucket is not between the hole and them, so no tombstones are needed.
    let mask = buckets.count - 1
    var j = i
    while true {
      buckets[i].storage = Self.empty
      while true {
        j = (j + 1) & mask
        if buckets[j].storage == Self.empty { return Entry(key: b.key, storage: b.storage) }
        let home = index(buckets[j].address)
        // Stays when its home lies cyclically in (i, j].
        let stays = i <= j ? (i < home && home <= j) : (i < home || home <= j)
        if !stays { break }
      }
      buckets[i] = buckets[j]
      i = j
    }
  }

  @inline(__always)
  private func index(_ address: Address) -> Int {
    Int(truncatingIfNeeded: (address.mixed &* 0x9e37_79b9_7f4a_7c15) >> shift)
  }

  /// The bucket holding `address`, or the free one where it would go.
  @inline(__always)
  private func find(_ address: Address) -> Int {
    let mask = buckets.count - 1
    var i = index(address)
    while true {
      let b = buckets[i]
      if b.storage == Self.empty || b.address == address { return i }
      i = (i + 1) & mask
    }
  }

  private mutating func allocate(_ size: Int) {
    buckets = Array(repeating: Bucket(address: .zero, key: .zero, storage: Self.empty), count: size)
    shift = UInt64(64 - size.trailingZeroBitCount)
    count = 0
  }

  private mutating func grow() {
    let old = buckets
    allocate(old.count * 2)
    for b in old where b.storage != Self.empty {
      let i = find(b.address)
      buckets[i] = b
      count += 1
    }
  }
}
