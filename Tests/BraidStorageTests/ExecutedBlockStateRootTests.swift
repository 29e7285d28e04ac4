import BraidEVM
import BraidExecution
import BraidPrimitives
import BraidStorage
import Testing

/// The store must hold exactly the state the executor produced: the root computed from
/// `loadState()` after committing a block's changes equals the in-memory result's root.
@Suite struct ExecutedBlockStateRootTests {
  /// SSTORE(calldata[0:32], calldata[32:64]); STOP.
  static let setter = Code([0x60, 0x20, 0x35, 0x5f, 0x35, 0x55, 0x00])
  static let contract = address(0xc0de)
  static let senders = [address(0x51), address(0x52), address(0x53)]
  static let env = BlockEnv(
    chainId: 1, number: 1, timestamp: 1_700_000_001, coinbase: address(0xcb), gasLimit: 30_000_000, baseFee: UInt256(7))

  static var preState: InMemoryState {
    var pre = InMemoryState()
    for s in senders { pre.accounts[s] = AccountState(balance: UInt256(10) &* UInt256(1_000_000_000_000_000_000 as UInt64)) }
    pre.accounts[contract] = AccountState(nonce: 1, code: setter, storage: [UInt256(1): UInt256(5), UInt256(2): UInt256(9)])
    return pre
  }

  static func call(_ sender: Int, nonce: UInt64, slot: UInt64, value: UInt64) -> Transaction {
    .legacy(
      nonce: nonce, gasPrice: UInt256(10), gasLimit: 100_000, to: contract, value: .zero,
      data: UInt256(slot).bigEndianBytes + UInt256(value).bigEndianBytes, sender: senders[sender])
  }

  static func pay(_ sender: Int, nonce: UInt64, to: Address, wei: UInt64) -> Transaction {
    .legacy(nonce: nonce, gasPrice: UInt256(10), gasLimit: 21_000, to: to, value: UInt256(wei), data: [], sender: senders[sender])
  }

  static var transactions: [Transaction] {
    [
      call(0, nonce: 0, slot: 3, value: 42),
      call(1, nonce: 0, slot: 1, value: 0),  // clears a slot: the store must delete it
      pay(2, nonce: 0, to: address(0x99), wei: 1_000),
      pay(0, nonce: 1, to: address(0x99), wei: 5),
      call(2, nonce: 1, slot: 2, value: 10),
    ]
  }

  private func commitGenesis(_ t: TempStore, _ pre: InMemoryState) throws {
    try t.store.commitBlock(
      CommittedBlock(
        header: header(0, stateRoot: pre.stateRoot()), transactions: [], receipts: [],
        changes: StateDiff(from: InMemoryState(), to: pre)))
    #expect(try t.store.loadState().stateRoot() == pre.stateRoot())
  }

  @Test(arguments: [0, 2])
  func rootOfStoredStateEqualsTheExecutedState(threads: Int) throws {
    let t = try TempStore()
    defer { t.cleanUp() }
    let pre = Self.preState
    try commitGenesis(t, pre)

    var post = pre
    let result = BlockExecutor.execute(Self.transactions, block: Self.env, state: &post, threads: threads)
    #expect(result.receipts.count == 5)
    #expect(result.receipts.map(\.success) == [true, true, true, true, true])
    #expect(post.accounts[Self.contract]?.storage[UInt256(1)] == nil)

    let receipts = zip(Self.transactions, result.receipts).map { tx, r in
      StoredReceipt(encoded: r.encoded, sender: tx.sender, gasUsed: r.gasUsed, effectiveGasPrice: UInt256(10), contractAddress: nil)
    }
    let raw: [Bytes] = Self.transactions.map { UInt256($0.nonce).bigEndianBytes + $0.sender.bytes }
    try t.store.commitBlock(
      CommittedBlock(
        header: header(1, parent: header(0).hash, stateRoot: post.stateRoot()), transactions: raw, receipts: receipts,
        changes: StateDiff(from: pre, to: post)))

    let loaded = try t.store.loadState()
    #expect(loaded.stateRoot() == post.stateRoot())
    #expect(loaded.stateRoot() != pre.stateRoot())
    let s = try t.store.stateReader()
    #expect(s.storage(of: Self.contract, slot: UInt256(3)) == UInt256(42))
    #expect(s.storage(of: Self.contract, slot: UInt256(1)) == .zero)
    #expect(s.balance(of: address(0x99)) == UInt256(1_005))
  }

  /// The other way to build the change set: each transaction's own diff, merged.
  @Test func mergedTransactionDiffsGiveTheSameRoot() throws {
    let t = try TempStore()
    defer { t.cleanUp() }
    let pre = Self.preState
    try commitGenesis(t, pre)

    var sequential = pre
    var diffs: [StateDiff] = []
    for tx in Self.transactions {
      let result = try EVM.execute(tx, block: Self.env, state: sequential)
      sequential.apply(result.diff)
      diffs.append(result.diff)
    }
    try t.store.commitBlock(block(1, StateDiff.merging(diffs)))
    #expect(try t.store.loadState().stateRoot() == sequential.stateRoot())
  }

  @Test func mergingFoldsDeletionRecreationAndDeltas() {
    var first = AccountChange()
    first.balanceDelta = UInt256(5)
    var second = AccountChange()
    second.balanceDelta = UInt256(7)
    second.storage = [UInt256(1): UInt256(1)]
    var merged = StateDiff.merging([
      StateDiff(accounts: [address(1): first]), StateDiff(accounts: [address(1): second]),
    ])
    #expect(merged.accounts[address(1)]?.balanceDelta == UInt256(12))
    #expect(merged.accounts[address(1)]?.balance == nil)

    var gone = AccountChange()
    gone.deleted = true
    var again = AccountChange()
    again.balanceDelta = UInt256(3)
    merged.merge(StateDiff(accounts: [address(1): gone]))
    merged.merge(StateDiff(accounts: [address(1): again]))
    let m = merged.accounts[address(1)]
    #expect(m?.deleted == false)
    #expect(m?.storageCleared == true)
    #expect(m?.balance == UInt256(3))
    #expect(m?.nonce == 0)
    #expect(m?.storage.isEmpty == true)
  }
}
