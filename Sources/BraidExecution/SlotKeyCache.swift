/// keccak256 of the storage slots a storage trie has seen, so that a slot written block
/// after block (a token's balances) is hashed once. An open-addressing table with the slot
/// and its hash side by side (one cache line per probe) and a multiplicative hash: a
/// `Dictionary` lookup, with SipHash and separate key and value arrays, cost about a third
/// of the keccak it saves.
import BraidPrimitives

struct SlotKeyCache: Sendable {
  private struct Entry: Sendable {
    var slot: UInt256
    /// `Hash32.zero` marks an empty entry (no keccak256 output is zero in practice, and a
    /// slot whose hash were zero would merely be hashed again each time).
    var key: Hash32
  }

  private var entries: [Entry] = []
  private var count = 0
  /// 64 - log2(entries.count): the hash's top bits index the table.
  private var shift: UInt64 = 64

  /// keccak256 of the 32-byte big-endian slot, from the table or computed and remembered.
  mutating func key(for slot: UInt256) -> Hash32 {
    if entries.isEmpty { resize(to: 64) }
    let mask = entries.count - 1
    var i = index(slot)
    while true {
      let k = entries[i].key
      if k == .zero { break }
      if entries[i].slot == slot { return k }
      i = (i + 1) & mask
    }
    let key = Keccak256.hash(word: slot)
    if key == .zero { return key }
    if (count + 1) * 2 > entries.count {
      resize(to: entries.count * 2)
      insert(slot, key)
    } else {
      entries[i] = Entry(slot: slot, key: key)
      count += 1
    }
    return key
  }

  /// The remembered keccak256 of `slot`, if any.
  func cachedKey(_ slot: UInt256) -> Hash32? {
    if entries.isEmpty { return nil }
    let mask = entries.count - 1
    var i = index(slot)
    while true {
      let k = entries[i].key
      if k == .zero { return nil }
      if entries[i].slot == slot { return k }
      i = (i + 1) & mask
    }
  }

  /// Remembers `key` as the keccak256 of a slot not in the table yet.
  mutating func remember(_ slot: UInt256, _ key: Hash32) {
    if key == .zero { return }
    if entries.isEmpty { resize(to: 64) }
    if (count + 1) * 2 > entries.count { resize(to: entries.count * 2) }
    insert(slot, key)
  }

  @inline(__always)
  private func index(_ slot: UInt256) -> Int {
    let x = slot.w0 ^ slot.w1 &* 0xc2b2_ae3d_27d4_eb4f ^ slot.w2 &* 0x1656_67b1_9e37_79f9 ^ slot.w3 &* 0x27d4_eb2f_1656_67c5
    return Int(truncatingIfNeeded: (x &* 0x9e37_79b9_7f4a_7c15) >> shift)
  }

  private mutating func insert(_ slot: UInt256, _ key: Hash32) {
    let mask = entries.count - 1
    var i = index(slot)
    while entries[i].key != .zero { i = (i + 1) & mask }
    entries[i] = Entry(slot: slot, key: key)
    count += 1
  }

  private mutating func resize(to capacity: Int) {
    let old = entries
    entries = Array(repeating: Entry(slot: .zero, key: .zero), count: capacity)
    shift = UInt64(64 - capacity.trailingZeroBitCount)
    count = 0
    for e in old where e.key != .zero { insert(e.slot, e.key) }
  }
}
