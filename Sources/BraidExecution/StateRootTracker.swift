/// The world-state root kept up to date from block to block: the account trie and one
/// storage trie per account stay in memory as `IncrementalTrie`s, and a block's
/// `BlockChanges` says which leaves to rewrite, so a block's root costs in proportion to
/// what it touched rather than to the size of the state. Gives the same root as
/// `InMemoryState.stateRoot()`.
import BraidEVM
import BraidPrimitives
import BraidTrie

public struct StateRootTracker: Sendable {
  typealias Entry = AccountKeyTable.Entry

  private var entries = AccountKeyTable()
  private var storageTries: [IncrementalTrie] = []
  /// Per storage trie: keccak256 of each slot seen, since the same slots (a token's hot
  /// balances) are written block after block.
  private var slotKeys: [SlotKeyCache] = []
  private var freeStorage: [Int] = []
  private var accountTrie = IncrementalTrie()

  /// The root of the state last given.
  public private(set) var root: Hash32 = .emptyTrie

  /// Builds every trie of `state` (a full build: once, not per block).
  public init(state: InMemoryState, workers: Int = 1) {
    var everything: [Address: Set<UInt256>] = [:]
    everything.reserveCapacity(state.accounts.count)
    for (address, account) in state.accounts { everything[address] = Set(account.storage.keys) }
    entries = AccountKeyTable(capacity: state.accounts.count)
    _ = update(with: BlockChanges(accounts: everything), state: state, workers: workers)
  }

  /// Applies a block: `changes` names every account and slot that may differ from the
  /// state this tracker was last brought to, and `state` is the state after the block.
  /// An account named in `changes` but absent from `state` is removed with its storage.
  /// Returns the new root. `workers` above 1 hashes large tries on that many threads.
  public mutating func update(with changes: BlockChanges, state: InMemoryState, workers: Int = 1) -> Hash32 {
    // Accounts with written slots are few (contracts): they are handled here, their slots
    // written below, and their leaves wait for their new storage roots. The many others
    // only need their leaves rewritten, which `accountPass` does.
    var plain: [Address] = []
    var waiting: [(key: Hash32, storage: Int, account: AccountState)] = []
    var slotWork: [(storage: Int, slots: Set<UInt256>, values: [UInt256: UInt256])] = []
    plain.reserveCapacity(changes.accounts.count)
    for (address, slots) in changes.accounts {
      if slots.isEmpty {
        plain.append(address)
        continue
      }
      guard let account = state.accounts[address] else {
        if let entry = entries.removeValue(forKey: address) {
          accountTrie.remove(entry.key)
          if entry.storage >= 0 { dropStorage(entry.storage) }
        }
        continue
      }
      var entry = entries[address] ?? Entry(key: Self.key(of: address), storage: -1)
      if entry.storage < 0 { entry.storage = newStorage() }
      entries[address] = entry
      slotWork.append((entry.storage, slots, account.storage))
      waiting.append((entry.key, entry.storage, account))
    }
    // The account pass and the slot writes touch disjoint tries, so with two workers they
    // run at once. The account trie is moved into a local for that, and the pass reads a
    // snapshot of `entries`, so that the other thread holds no part of `self`.
    var accounts = IncrementalTrie()
    swap(&accounts, &accountTrie)
    var pass = AccountPass()
    // In a scope of its own, so that the snapshot is released before `entries` is written
    // below: alive, it would make that write copy the whole table.
    do {
      let known = entries
      if workers > 1 && !slotWork.isEmpty && plain.count >= 256 {
        withUnsafeMutablePointer(to: &accounts) { trie in
          withUnsafeMutablePointer(to: &pass) { out in
            let trie = SendablePointer(trie)
            let out = SendablePointer(out)
            let addresses = plain
            TrieThreads.run(
              { Self.accountPass(addresses, state: state, entries: known, trie: &trie.pointer.pointee, out: &out.pointer.pointee) },
              alongside: { writeSlots(slotWork) })
          }
        }
      } else {
        Self.accountPass(plain, state: state, entries: known, trie: &accounts, out: &pass)
        writeSlots(slotWork)
      }
    }
    for (address, entry) in pass.added { entries[address] = entry }
    for address in pass.removed {
      if let entry = entries.removeValue(forKey: address), entry.storage >= 0 { dropStorage(entry.storage) }
    }
    waiting += pass.withStorage
    var late: [Leaf] = []
    for w in waiting {
      late.append(Leaf(key: w.key, account: w.account, storageRoot: storageTries[w.storage].rootHash(workers: workers)))
    }
    Self.write(late, into: &accounts)
    root = accounts.rootHash(workers: workers)
    swap(&accounts, &accountTrie)
    return root
  }

  /// What `accountPass` leaves for the caller to apply to `self`.
  struct AccountPass {
    var added: [(Address, Entry)] = []
    var removed: [Address] = []
    /// Accounts with a storage trie: their leaves need its root, which only `self` reads.
    var withStorage: [(key: Hash32, storage: Int, account: AccountState)] = []
  }

  /// Rewrites the leaves of accounts whose storage did not change (and removes the leaves
  /// of accounts that are gone), reading `entries` and writing only `trie` and `out`.
  private static func accountPass(
    _ addresses: [Address], state: InMemoryState, entries: AccountKeyTable, trie: inout IncrementalTrie,
    out: inout AccountPass
  ) {
    var ready: [Leaf] = []
    ready.reserveCapacity(addresses.count)
    // The table lookups first, in a loop of their own: each is a cache miss, and with
    // little else in the loop the processor has many of them in flight at once.
    var found: [Entry?] = []
    found.reserveCapacity(addresses.count)
    for address in addresses { found.append(entries[address]) }
    for (address, entry) in zip(addresses, found) {
      guard let account = state.accounts[address] else {
        if let entry {
          trie.remove(entry.key)
          out.removed.append(address)
        }
        continue
      }
      if let entry, entry.storage >= 0 {
        out.withStorage.append((entry.key, entry.storage, account))
        continue
      }
      let key: Hash32
      if let entry {
        key = entry.key
      } else {
        key = Self.key(of: address)
        out.added.append((address, Entry(key: key, storage: -1)))
      }
      ready.append(Leaf(key: key, account: account, storageRoot: .emptyTrie))
    }
    write(ready, into: &trie)
  }

  private static func key(of address: Address) -> Hash32 {
    address.bytes.withUnsafeBytes { Keccak256.hash($0) }
  }

  /// An account leaf to write: RLP([nonce, balance, storageRoot, codeHash]) under `key`.
  struct Leaf: Sendable {
    var key: Hash32
    var nonce: UInt64
    var balance: UInt256
    var storageRoot: Hash32
    var codeHash: Hash32

    init(key: Hash32, account: AccountState, storageRoot: Hash32) {
      self.key = key
      nonce = account.nonce
      balance = account.balance
      self.storageRoot = storageRoot
      codeHash = account.code.hash
    }
  }

  /// Writes the leaves in key order (see `update`).
  private static func write(_ leaves: [Leaf], into trie: inout IncrementalTrie) {
    withUnsafeTemporaryAllocation(byteCount: 128, alignment: 8) { buffer in
      let p = buffer.baseAddress!
      for i in keyOrder(leaves.count, key: { leaves[$0].key }) {
        let leaf = leaves[i]
        // RLP([nonce, balance, storageRoot, codeHash]): the payload is 68 to 108 bytes, so
        // the list header is 0xf8 and one length byte.
        var q = p + 2
        q += writeRLP(UInt256(leaf.nonce), at: q)
        q += writeRLP(leaf.balance, at: q)
        q.storeBytes(of: 0xa0 as UInt8, as: UInt8.self)
        leaf.storageRoot.word.storeBigEndian(to: q + 1)
        (q + 33).storeBytes(of: 0xa0 as UInt8, as: UInt8.self)
        leaf.codeHash.word.storeBigEndian(to: q + 34)
        q += 66
        p.storeBytes(of: 0xf8 as UInt8, as: UInt8.self)
        (p + 1).storeBytes(of: UInt8(q - p - 2), as: UInt8.self)
        trie.update(leaf.key, value: UnsafeRawBufferPointer(start: p, count: q - p))
      }
    }
  }

  private mutating func writeSlots(_ work: [(storage: Int, slots: Set<UInt256>, values: [UInt256: UInt256])]) {
    var batch: [(key: Hash32, value: UInt256)] = []
    withUnsafeTemporaryAllocation(byteCount: 40, alignment: 8) { buffer in
      let p = buffer.baseAddress!
      for (index, slots, values) in work {
        batch.removeAll(keepingCapacity: true)
        batch.reserveCapacity(slots.count)
        // The values first, then the keys, each in a loop of its own so that their cache
        // misses overlap (as in `accountPass`).
        for slot in slots {
          // A zero slot is an absent one, as in `stateRoot()`.
          batch.append((.zero, values[slot] ?? .zero))
        }
        var fresh = 0
        var k = 0
        for slot in slots {
          batch[k].key = slotKeys[index].key(for: slot, misses: &fresh)
          k += 1
        }
        // One reallocation, not one per array doubling, when the block adds many slots.
        storageTries[index].reserveCapacity(forAdditionalKeys: fresh)
        for i in Self.keyOrder(batch.count, key: { batch[$0].key }) {
          let (key, value) = batch[i]
          if value.isZero {
            storageTries[index].remove(key)
          } else {
            storageTries[index].update(key, value: UnsafeRawBufferPointer(start: p, count: writeRLP(value, at: p)))
          }
        }
      }
    }
  }

  /// Indices 0..<count in order of their keys' first 12 bits (a counting sort): the nodes
  /// of the top three levels are then visited in order, which is where the locality of
  /// key order comes from; the order below them matters little.
  private static func keyOrder(_ count: Int, key: (Int) -> Hash32) -> [Int] {
    var starts = [Int](repeating: 0, count: 4097)
    var buckets = [Int](repeating: 0, count: count)
    for i in 0..<count {
      let b = Int(truncatingIfNeeded: key(i).word.w3 >> 52)
      buckets[i] = b
      starts[b + 1] += 1
    }
    for b in 0..<4096 { starts[b + 1] += starts[b] }
    var order = [Int](repeating: 0, count: count)
    for i in 0..<count {
      order[starts[buckets[i]]] = i
      starts[buckets[i]] += 1
    }
    return order
  }

  private mutating func newStorage() -> Int {
    if let i = freeStorage.popLast() { return i }
    storageTries.append(IncrementalTrie())
    slotKeys.append(SlotKeyCache())
    return storageTries.count - 1
  }

  private mutating func dropStorage(_ index: Int) {
    storageTries[index] = IncrementalTrie()
    slotKeys[index] = SlotKeyCache()
    freeStorage.append(index)
  }
}

/// RLP of an integer's minimal big-endian bytes at `p` (1 to 33 bytes); returns the length.
@inline(__always)
private func writeRLP(_ v: UInt256, at p: UnsafeMutableRawPointer) -> Int {
  if v.fitsUInt64 && v.w0 < 0x80 {
    p.storeBytes(of: v.w0 == 0 ? 0x80 : UInt8(v.w0), as: UInt8.self)
    return 1
  }
  let n = v.byteWidth
  p.storeBytes(of: 0x80 + UInt8(n), as: UInt8.self)
  var bigEndian: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
  withUnsafeMutableBytes(of: &bigEndian) { b in
    v.storeBigEndian(to: b.baseAddress!)
    (p + 1).copyMemory(from: b.baseAddress! + 32 - n, byteCount: n)
  }
  return 1 + n
}
