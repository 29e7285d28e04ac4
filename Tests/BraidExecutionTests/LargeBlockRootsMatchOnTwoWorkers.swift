/// `StateRootTracker` on blocks large enough for its two-thread paths (the random chains
/// elsewhere are too small to reach them): a token contract whose slots are written
/// alongside thousands of plain accounts, with new slots, cleared slots, new and removed
/// accounts, gives the root computed from scratch on one worker and on two.
import BraidExecution
import BraidEVM
import BraidPrimitives
import Testing

struct LargeBlockRootsMatchOnTwoWorkers {
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

  @Test(arguments: [1, 2])
  func tokenBlocks(workers: Int) {
    // With two workers the account leaves and the slots are written on separate threads
    // and the tries hashed on both; the sizes vary which side is the larger.
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
}
