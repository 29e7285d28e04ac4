import BraidEVM
import BraidPrimitives
import BraidStorage
import Testing

@Suite struct DeletedAccountTests {
  private func seeded() throws -> TempStore {
    let t = try TempStore()
    var changes = StateDiff()
    // address(2) sits between the others in key order, so a range delete that overran its
    // prefix would take a neighbour's slots.
    for i in 1...3 as ClosedRange<UInt32> {
      var slots: [UInt256: UInt256] = [:]
      for s in 0..<40 as Range<UInt64> { slots[UInt256(s) << 100 | UInt256(s)] = UInt256(s + 1) }
      changes.merge(accountChange(address(i), balance: 1, nonce: 1, code: Code([0x00, UInt8(i)]), storage: slots))
    }
    try t.store.commitBlock(block(0, changes))
    return t
  }

  @Test func aDeletedAccountLosesItsStorageAndNoNeighbourDoes() throws {
    let t = try seeded()
    defer { t.cleanUp() }
    var deletion = AccountChange()
    deletion.deleted = true
    try t.store.commitBlock(block(1, StateDiff(accounts: [address(2): deletion])))

    let s = try t.store.stateReader()
    #expect(s.balance(of: address(2)) == .zero)
    #expect(s.nonce(of: address(2)) == 0)
    #expect(s.code(of: address(2)).isEmpty)
    #expect(!s.hasStorage(address(2)))
    #expect(s.storage(of: address(2), slot: UInt256(3) << 100 | UInt256(3)) == .zero)
    #expect(s.hasStorage(address(1)) && s.hasStorage(address(3)))

    let state = try t.store.loadState()
    #expect(state.accounts[address(2)] == nil)
    #expect(state.accounts[address(1)]?.storage.count == 40)
    #expect(state.accounts[address(3)]?.storage.count == 40)
  }

  @Test func clearedStorageIsWipedBeforeNewSlotsApply() throws {
    let t = try seeded()
    defer { t.cleanUp() }
    var recreate = AccountChange()
    recreate.storageCleared = true
    recreate.nonce = 1
    recreate.storage = [UInt256(1): UInt256(11)]
    try t.store.commitBlock(block(1, StateDiff(accounts: [address(3): recreate])))

    let state = try t.store.loadState()
    #expect(state.accounts[address(3)]?.storage == [UInt256(1): UInt256(11)])
    #expect(state.accounts[address(3)]?.balance == UInt256(1))
    #expect(state.accounts[address(2)]?.storage.count == 40)
  }

  @Test func aBalanceDeltaAddsToTheStoredBalance() throws {
    let t = try seeded()
    defer { t.cleanUp() }
    var credit = AccountChange()
    credit.balanceDelta = UInt256(41)
    try t.store.commitBlock(block(1, StateDiff(accounts: [address(1): credit, address(9): credit])))
    let s = try t.store.stateReader()
    #expect(s.balance(of: address(1)) == UInt256(42))
    #expect(s.nonce(of: address(1)) == 1)
    #expect(s.balance(of: address(9)) == UInt256(41))
  }
}
