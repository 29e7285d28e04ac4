/// The world-state root kept up to date from block to block: the account trie and one
/// storage trie per account stay in memory as `IncrementalTrie`s, and a block's
/// `BlockChanges` says which leaves to rewrite, so a block's root costs in proportion to
/// what it touched rather than to the size of the state. Gives the same root as
/// `InMemoryState.stateRoot()`.
import BraidEVM
import BraidPrimitives
import BraidTrie

public struct StateRootTracker: Sendable {
  struct Entry: Sendable {
    /// keccak256(address): the account's key in the state trie.
    let key: Hash32
    /// Its storage trie in `storageTries`, or -1 while it has never had storage.
    var storage: Int
  }

  private var entries: [Address: Entry] = [:]
  private var storageTries: [IncrementalTrie] = []
  /// Per storage trie: keccak256 of each slot seen, since the same slots (a token's hot
  /// balances) are written block after block.
  private var slotKeys: [[UInt256: Hash32]] = []
  private var freeStorage: [Int] = []
  private var accountTrie = IncrementalTrie()
  /// Scratch for leaf values, reused so that a leaf costs no allocation.
  private var scratch = RLPWriter(capacity: 128)
  private var slotBatch: [(key: Hash32, value: UInt256)] = []

  /// The root of the state last given.
  public private(set) var root: Hash32 = .emptyTrie

  /// Builds every trie of `state` (a full build: once, not per block).
  public init(state: InMemoryState, workers: Int = 1) {
    var everything: [Address: Set<UInt256>] = [:]
    everything.reserveCapacity(state.accounts.count)
    for (address, account) in state.accounts { everything[address] = Set(account.storage.keys) }
    _ = update(with: BlockChanges(accounts: everything), state: state, workers: workers)
  }

  /// Applies a block: `changes` names every account and slot that may differ from the
  /// state this tracker was last brought to, and `state` is the state after the block.
  /// An account named in `changes` but absent from `state` is removed with its storage.
  /// Returns the new root. `workers` above 1 hashes large tries on that many threads.
  public mutating func update(with changes: BlockChanges, state: InMemoryState, workers: Int = 1) -> Hash32 {
    // Leaves to rewrite once their storage roots are known.
    var touched: [Touched] = []
    touched.reserveCapacity(changes.accounts.count)
    for (address, slots) in changes.accounts {
      guard let account = state.accounts[address] else {
        if let entry = entries.removeValue(forKey: address) {
          accountTrie.remove(entry.key)
          if entry.storage >= 0 { dropStorage(entry.storage) }
        }
        continue
      }
      var entry: Entry
      var store = false
      if let known = entries[address] {
        entry = known
      } else {
        entry = Entry(key: address.bytes.withUnsafeBytes { Keccak256.hash($0) }, storage: -1)
        store = true
      }
      if !slots.isEmpty {
        if entry.storage < 0 {
          entry.storage = newStorage()
          store = true
        }
        writeSlots(slots, of: account, into: entry.storage)
      }
      if store { entries[address] = entry }
      touched.append(
        Touched(key: entry.key, storage: entry.storage, nonce: account.nonce, balance: account.balance,
                codeHash: account.code.hash))
    }
    // In key order, consecutive leaves share their upper nodes, and a trie built in key
    // order has its nodes laid out in that order too: far fewer cache misses than a walk
    // in hash-table order.
    touched.sort { $0.key < $1.key }
    for t in touched {
      let storageRoot = t.storage < 0 ? Hash32.emptyTrie : storageTries[t.storage].rootHash(workers: workers)
      scratch.bytes.removeAll(keepingCapacity: true)
      scratch.appendList { w in
        w.append(uint: t.nonce)
        w.append(uint256: t.balance)
        w.append(hash: storageRoot)
        w.append(hash: t.codeHash)
      }
      scratch.bytes.withUnsafeBytes { accountTrie.update(t.key, value: $0) }
    }
    root = accountTrie.rootHash(workers: workers)
    return root
  }

  struct Touched {
    var key: Hash32
    var storage: Int
    var nonce: UInt64
    var balance: UInt256
    var codeHash: Hash32
  }

  private mutating func writeSlots(_ slots: Set<UInt256>, of account: AccountState, into index: Int) {
    slotBatch.removeAll(keepingCapacity: true)
    for slot in slots {
      let key: Hash32
      if let k = slotKeys[index][slot] {
        key = k
      } else {
        key = Keccak256.hash(word: slot)
        slotKeys[index][slot] = key
      }
      // A zero slot is an absent one, as in `stateRoot()`.
      slotBatch.append((key, account.storage[slot] ?? .zero))
    }
    slotBatch.sort { $0.key < $1.key }  // see `update`
    for (key, value) in slotBatch {
      if value.isZero {
        storageTries[index].remove(key)
      } else {
        scratch.bytes.removeAll(keepingCapacity: true)
        scratch.append(uint256: value)
        scratch.bytes.withUnsafeBytes { storageTries[index].update(key, value: $0) }
      }
    }
  }

  private mutating func newStorage() -> Int {
    if let i = freeStorage.popLast() { return i }
    storageTries.append(IncrementalTrie())
    slotKeys.append([:])
    return storageTries.count - 1
  }

  private mutating func dropStorage(_ index: Int) {
    storageTries[index] = IncrementalTrie()
    slotKeys[index] = [:]
    freeStorage.append(index)
  }
}
