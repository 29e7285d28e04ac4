/// `StateRootTracker`, fed each block's `BlockChanges`, gives after every block of a chain
/// the same root as `stateRoot()` computed from scratch, with the sequential executor and
/// with Block-STM, and whether it hashes on one thread, two or four.
import BraidEVM
import BraidExecution
import BraidPrimitives
import Testing

struct IncrementalRootMatchesFullRoot {
  /// Runs `length` random blocks one after another on one state. Each block's transactions
  /// get their senders' nonces shifted to follow the chain, and accounts and token slots a
  /// block's generator expects but the chain lacks are added first (like a genesis
  /// allocation), reported to the tracker together with the block's own changes.
  static func chain(seed: Int, length: Int, threads: Int) -> [(tracked: Hash32, full: Hash32)] {
    var state = RandomBlock(seed: UInt64(seed) &* 6151 &+ 5).pre
    var tracker = StateRootTracker(state: state)
    var roots: [(Hash32, Hash32)] = [(tracker.root, state.stateRoot())]
    for k in 0..<length {
      let block = RandomBlock(seed: UInt64(seed) &* 6151 &+ 5 &+ UInt64(k) &* 101)
      var added: [Address: Set<UInt256>] = [:]
      for (address, account) in block.pre.accounts {
        if state.accounts[address] == nil {
          state.accounts[address] = account
          added[address] = Set(account.storage.keys)
        } else {
          for (slot, value) in account.storage where state.accounts[address]!.storage[slot] == nil {
            state.accounts[address]!.storage[slot] = value
            added[address, default: []].insert(slot)
          }
        }
      }
      let base = Dictionary(block.transactions.map { ($0.sender, state.nonce(of: $0.sender)) }, uniquingKeysWith: { a, _ in a })
      let transactions = block.transactions.map { tx -> Transaction in
        var t = tx
        t.nonce += base[tx.sender]!
        return t
      }
      var env = block.env
      env.number = UInt64(11 + k)
      let result = BlockExecutor.execute(transactions, block: env, state: &state, threads: threads)
      var changes = result.changes
      for (address, slots) in added { changes.accounts[address, default: []].formUnion(slots) }
      let tracked = tracker.update(with: changes, state: state, workers: [1, 2, 4][k % 3])
      roots.append((tracked, state.stateRoot()))
    }
    return roots
  }

  @Test(arguments: 0..<12)
  func chainOfRandomBlocks(seed: Int) {
    for threads in [0, 2] {
      let roots = Self.chain(seed: seed, length: 6, threads: threads)
      for (k, r) in roots.enumerated() {
        #expect(r.tracked == r.full, "seed \(seed), \(threads) threads, after block \(k)")
      }
      // The chain must actually move: a tracker that never changed would pass otherwise.
      #expect(Set(roots.map(\.full.word)).count > 3, "seed \(seed): the state barely changed")
    }
  }

  @Test func removedAccountTakesItsStorage() {
    // An account removed by the block, storage and all, must leave the trie; one that
    // reappears later must start from empty storage.
    let a = Address(hi: 1, mid: 2, lo: 3)
    let b = Address(hi: 4, mid: 5, lo: 6)
    var state = InMemoryState(accounts: [
      a: AccountState(balance: UInt256(5), storage: [UInt256(1): UInt256(7), UInt256(2): UInt256(8)]),
      b: AccountState(balance: UInt256(9)),
    ])
    var tracker = StateRootTracker(state: state)
    #expect(tracker.root == state.stateRoot())
    state.accounts[a] = nil
    #expect(tracker.update(with: BlockChanges(accounts: [a: []]), state: state) == state.stateRoot())
    state.accounts[a] = AccountState(nonce: 1, storage: [UInt256(3): UInt256(1)])
    #expect(tracker.update(with: BlockChanges(accounts: [a: [UInt256(3)]]), state: state) == state.stateRoot())
    state.accounts[b] = nil
    state.accounts[a] = nil
    #expect(tracker.update(with: BlockChanges(accounts: [a: [], b: []]), state: state) == .emptyTrie)
  }
}
