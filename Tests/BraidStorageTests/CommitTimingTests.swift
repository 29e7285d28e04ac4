import BraidEVM
import BraidPrimitives
import BraidStorage
import Testing

/// How long one block's commit takes at the size of an erc20-10000 block: 10,000 changed
/// accounts (sender nonce and balance) and 20,000 changed slots (sender and recipient
/// token balances) on a store that already holds them. Prints the time; asserts only that
/// everything landed, since timing on a shared machine is not a pass/fail property.
@Suite struct CommitTimingTests {
  static let token = Address(hi: 0x7070_7070_7070_7070, mid: 0, lo: 1)

  static func changes(round: UInt64) -> StateDiff {
    var diff = StateDiff()
    var token = AccountChange()
    for i in 0..<10_000 as Range<UInt64> {
      var sender = AccountChange()
      sender.nonce = round
      sender.balance = UInt256(1_000_000_000 - round * 21_000 - i)
      diff.accounts[Address(hi: 0x5e5e, mid: i, lo: 0)] = sender
      token.storage[UInt256(i)] = UInt256(1_000 - round)
      token.storage[UInt256(i) | UInt256(1) << 160] = UInt256(round)
    }
    diff.accounts[token.storage.isEmpty ? .zero : Self.token] = token
    return diff
  }

  @Test func commitOfAnERC20SizedBlock() throws {
    let t = try TempStore()
    defer { t.cleanUp() }
    let clock = ContinuousClock()
    let c0 = Self.changes(round: 0)
    let first = clock.measure { try! t.store.commitBlock(block(0, c0)) }
    let c1 = Self.changes(round: 1)
    let second = clock.measure { try! t.store.commitBlock(block(1, c1)) }
    print("BraidStorage commit, 10,001 accounts + 20,000 slots: into an empty store \(first), over existing keys \(second)")
    let s = try t.store.stateReader()
    #expect(s.nonce(of: Address(hi: 0x5e5e, mid: 9_999, lo: 0)) == 1)
    #expect(s.storage(of: Self.token, slot: UInt256(5) | UInt256(1) << 160) == UInt256(1))
  }
}
