/// `StateRootTracker` on blocks large enough for its multi-thread paths (the random chains
/// elsewhere are too small to reach them) gives the root computed from scratch on one, two
/// and four workers: a token contract whose slots are written alongside thousands of plain
/// accounts, with new slots, cleared slots, new and removed accounts; and random chains of
/// blocks over many contracts of very different sizes, some created and some removed.
import BraidExecution
import BraidEVM
import BraidPrimitives
import Testing

struct LargeBlockRootsMatchOnAnyWorkerCount {
  static func address(_ i: Int) -> Address { Address(hi: UInt64(i) &* 0x9e37_79b9, mid: UInt64(i), lo: UInt32(i & 0xffff)) }

  /// A state of `accounts` plain accounts and one contract with `slots` slots.
  static func state(accounts: Int, slots: Int) -> InMemoryState {
    var all: [Address: AccountState] = [:]
    for i in 0..<accounts { all[address(i)] = AccountState(balance: UInt256(UInt64(1_000 + i)), nonce: UInt64(i % 7)) }
    var storage: [UInt256: UInt256] = [:]
    for s in 0..<slots { storage[UInt256(UInt64(s))] = UInt256(UInt64(s + 1)) }
    all[token] = AccountState(code: Code([0x60, 0x00]), storage: storage)
    return InMemoryState(accounts: all)
  }

  static let token = Address(hi: 0xdead, mid: 0xbeef, lo: 7)

  /// Touches `plain` accounts (one in 50 removed, some new) and `written` slots of the
  /// token (some new, one in 20 cleared); returns the changes.
  static func block(_ state: inout InMemoryState, round: Int, plain: Int, written: Int, accounts: Int) -> BlockChanges {
    var changes: [Address: Set<UInt256>] = [:]
    for j in 0..<plain {
      let i = (j * 7 + round * 131) % (accounts + 200)  // indices past `accounts` are new accounts
      let a = address(i)
      if j % 50 == 49 {
        state.accounts[a] = nil
      } else {
        var account = state.accounts[a] ?? AccountState()
        account.nonce += 1
        account.balance = UInt256(UInt64(round * 1_000_003 + j))
        state.accounts[a] = account
      }
      changes[a] = []
    }
    var slots: Set<UInt256> = []
    for k in 0..<written {
      let s = UInt256(UInt64((k * 3 + round * 977) % (written * 2)))  // half of them new
      state.accounts[token]!.storage[s] = k % 20 == 19 ? nil : UInt256(UInt64(round * 65_537 + k + 1))
      slots.insert(s)
    }
    changes[token] = slots
    return BlockChanges(accounts: changes)
  }

  @Test(arguments: [1, 2, 4])
  func tokenBlocks(workers: Int) {
    // With two workers or more the account leaves and the slots are written on separate
    // threads and the tries hashed on all; the sizes vary which side is the larger.
    for (plain, written) in [(1_500, 1_800), (1_500, 300), (300, 2_000)] {
      var state = Self.state(accounts: 3_000, slots: 1_200)
      var tracker = StateRootTracker(state: state)
      #expect(tracker.root == state.stateRoot())
      for round in 0..<3 {
        let changes = Self.block(&state, round: round, plain: plain, written: written, accounts: 3_000)
        let root = tracker.update(with: changes, state: state, workers: workers)
        #expect(root == state.stateRoot(), "\(plain) accounts, \(written) slots, round \(round), \(workers) workers")
      }
    }
  }

  static func contract(_ i: Int) -> Address { Address(hi: 0xc0de, mid: UInt64(i) &* 0x2545_f491, lo: UInt32(i)) }

  /// Random blocks over plain accounts and contracts of 1 to about 3,000 slots: each block
  /// changes, adds and removes plain accounts, writes (and clears) slots of some contracts,
  /// creates new contracts and removes old ones. Trackers on one, two and four workers see
  /// the same blocks and must all give the root from scratch after every block.
  @Test(arguments: 0..<4)
  func randomChainsOfManyContracts(seed: Int) {
    var random = SplitMix(state: UInt64(seed) &* 0x1234_5678_9abc_def1 &+ 99)
    var all: [Address: AccountState] = [:]
    for i in 0..<2_000 { all[Self.address(i)] = AccountState(balance: UInt256(random.next()), nonce: random.next() % 9) }
    var contractCount = 40
    for c in 0..<contractCount {
      var storage: [UInt256: UInt256] = [:]
      // Sizes from a few slots to thousands, so that some tries are hashed inside their
      // task and some afterwards on all workers.
      let size = c % 10 == 0 ? 2_000 + random.below(1_000) : 1 + random.below(60)
      for _ in 0..<size { storage[UInt256(random.next() % 5_000)] = UInt256(random.next() | 1) }
      all[Self.contract(c)] = AccountState(code: Code([0x60, UInt8(c & 0x7f)]), storage: storage)
    }
    var state = InMemoryState(accounts: all)
    var trackers = [1, 2, 4].map { StateRootTracker(state: state, workers: $0) }
    for tracker in trackers { #expect(tracker.root == state.stateRoot(), "seed \(seed), genesis") }
    for round in 0..<4 {
      var changes: [Address: Set<UInt256>] = [:]
      for _ in 0..<(300 + random.below(1_500)) {
        let a = Self.address(random.below(2_300))  // past 2,000: new accounts
        if random.below(40) == 0 {
          state.accounts[a] = nil
        } else if state.accounts[a]?.storage.isEmpty ?? true {
          var account = state.accounts[a] ?? AccountState()
          account.nonce += 1
          account.balance = UInt256(random.next())
          state.accounts[a] = account
        }
        changes[a, default: []] = changes[a] ?? []
      }
      for _ in 0..<(5 + random.below(20)) {
        let c = Self.contract(random.below(contractCount + 3))  // past the count: new contracts
        if random.below(15) == 0, state.accounts[c] != nil {
          // Removed with its storage: named with its slots, absent from the state.
          changes[c, default: []].formUnion(state.accounts[c]!.storage.keys)
          state.accounts[c] = nil
          continue
        }
        var account = state.accounts[c] ?? AccountState(code: Code([0x60, 0x01]))
        let writes = random.below(8) == 0 ? 600 + random.below(1_500) : 1 + random.below(30)
        var written: Set<UInt256> = []
        for _ in 0..<writes {
          let slot = UInt256(random.next() % 6_000)
          account.storage[slot] = random.below(12) == 0 ? nil : UInt256(random.next() | 1)
          written.insert(slot)
        }
        account.balance = UInt256(random.next())
        state.accounts[c] = account
        changes[c, default: []].formUnion(written)
      }
      contractCount += 3
      let block = BlockChanges(accounts: changes)
      let full = state.stateRoot()
      for (k, workers) in [1, 2, 4].enumerated() {
        let root = trackers[k].update(with: block, state: state, workers: workers)
        #expect(root == full, "seed \(seed), round \(round), \(workers) workers")
      }
    }
  }
}

extension SplitMix {
  /// A number in 0 ..< n, from the seeded stream (so that a failure names its seed).
  mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
