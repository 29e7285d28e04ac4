/// The node keeps one head state, changed in place, and reads recent blocks' states back
/// through what each block overwrote (`LiveState`, `StateUndo`). Every field of every account
/// at every kept block must equal a replay's copy of the state after that block: storage
/// written, cleared and added, accounts created, a contract deployed, an empty account with
/// storage removed (EIP-161); with the sequential executor and with Block-STM; and a view
/// held while the chain moves past the kept history still reads its block.
import BraidEVM
import BraidExecution
import BraidPrimitives
import BraidRPC
import Testing

@testable import BraidNode

struct RecentStatesReadThroughUndoRecords {
  /// Stores the call's value at the slot named by its first 32 bytes of data.
  static let store = Address(hi: 0x5707e, mid: 0, lo: 1)
  /// Empty by EIP-161 (no code, nonce or balance) yet holding storage; a touch removes it.
  static let empty = Address(hi: 0xe5, mid: 0, lo: 2)
  static let newcomer = Address(hi: 0x11e3, mid: 0, lo: 3)

  static func genesis() -> Genesis {
    var alloc = Fixture.state(senders: 3).accounts
    alloc[store] = AccountState(
      code: Code([0x34, 0x60, 0x00, 0x35, 0x55, 0x00]), storage: [UInt256(1): UInt256(11), UInt256(2): UInt256(22)])
    alloc[empty] = AccountState(storage: [UInt256(5): UInt256(7)])
    return Genesis(chainId: Fixture.chainId, timestamp: 1_700_000_000, alloc: alloc)
  }

  static func put(from sender: Int, nonce: UInt64, slot: UInt64, value: UInt64) -> Bytes {
    Fixture.transfer(
      from: sender, nonce: nonce, to: store, value: UInt256(value), gas: 60_000, data: UInt256(slot).bigEndianBytes)
  }

  /// A contract whose creation stores 42 in its slot 0 and leaves the one-byte code 0x00.
  static func deploy(from sender: Int, nonce: UInt64) -> Bytes {
    let initCode: Bytes = [
      0x60, 0x2a, 0x60, 0x00, 0x55, 0x60, 0x00, 0x60, 0x00, 0x53, 0x60, 0x01, 0x60, 0x00, 0xf3,
    ]
    let tx = Transaction(
      type: 2, chainId: Fixture.chainId, nonce: nonce, gasLimit: 120_000, maxFeePerGas: Fixture.gwei(3),
      maxPriorityFeePerGas: Fixture.gwei(1), to: nil, value: .zero, data: initCode, sender: .zero)
    return try! TransactionSigner.sign(tx, privateKey: Fixture.key(sender))
  }

  /// Four blocks, each changing accounts the others also change.
  static let blocks: [[Bytes]] = [
    [put(from: 0, nonce: 0, slot: 1, value: 5), Fixture.transfer(from: 1, nonce: 0, to: newcomer, value: UInt256(100))],
    [put(from: 0, nonce: 1, slot: 2, value: 0), Fixture.transfer(from: 2, nonce: 0, to: empty, value: .zero)],
    [deploy(from: 1, nonce: 1), Fixture.transfer(from: 0, nonce: 2, to: newcomer, value: UInt256(7))],
    [put(from: 0, nonce: 3, slot: 1, value: 9), put(from: 2, nonce: 1, slot: 3, value: 3)],
  ]

  static func node(threads: Int, history: Int) -> NodeChain {
    NodeChain(
      NodeConfiguration(
        genesis: genesis(), sequencer: SequencerConfiguration(maxTransactions: 100, execThreads: threads),
        stateHistory: history, clock: { 1_700_000_000 }))
  }

  /// Produces the blocks, returning a replay's copy of the state before the first and after
  /// each (from genesis unless `start` is given).
  static func run(_ node: NodeChain, blocks: [[Bytes]], from start: InMemoryState? = nil) throws -> [InMemoryState] {
    var replay = start ?? InMemoryState(accounts: node.configuration.genesis.alloc)
    var states = [replay]
    for raws in blocks {
      for raw in raws { _ = try node.mempool.add(raw: raw).get() }
      let block = try #require(node.sequencer.produceBlock()?.block)
      #expect(block.receipts.count == raws.count)
      let records = block.record.transactionHashes.map { node.transaction(hash: $0)! }
      _ = BlockExecutor.execute(
        records.map(\.signed.transaction), block: block.header.environment(chainId: Fixture.chainId), state: &replay,
        threads: 0)
      states.append(replay)
    }
    return states
  }

  static func check(_ view: StateView, equals expected: InMemoryState, among addresses: Set<Address>, block: Int) {
    for a in addresses {
      let want = expected.accounts[a]
      #expect(view.balance(of: a) == (want?.balance ?? .zero), "block \(block) \(a) balance")
      #expect(view.nonce(of: a) == (want?.nonce ?? 0), "block \(block) \(a) nonce")
      #expect(view.code(of: a).hash == (want?.code ?? .empty).hash, "block \(block) \(a) code")
      #expect(view.hasStorage(a) == !(want?.storage.isEmpty ?? true), "block \(block) \(a) has storage")
      for slot in 0..<UInt64(7) {
        let s = UInt256(slot)
        #expect(view.storage(of: a, slot: s) == (want?.storage[s] ?? .zero), "block \(block) \(a) slot \(slot)")
      }
    }
  }

  static func addresses(_ states: [InMemoryState]) -> Set<Address> {
    var out: Set<Address> = [Address(hi: 0x404, mid: 0, lo: 4)]
    for s in states { out.formUnion(s.accounts.keys) }
    return out
  }

  @Test(arguments: [0, 2])
  func everyKeptBlockReadsAsTheReplayAfterIt(threads: Int) throws {
    let node = Self.node(threads: threads, history: 8)
    let states = try Self.run(node, blocks: Self.blocks)
    // The cases the records must undo really happened.
    #expect(states[1].accounts[Self.empty] != nil && states[2].accounts[Self.empty] == nil)
    #expect(states[1].accounts[Self.store]?.storage[UInt256(2)] == UInt256(22))
    #expect(states[2].accounts[Self.store]?.storage[UInt256(2)] == nil)
    #expect(states[2].accounts.values.filter { !$0.code.isEmpty }.count + 1 == states[3].accounts.values.filter { !$0.code.isEmpty }.count)
    let everyone = Self.addresses(states)
    for number in 0..<states.count {
      let view = try #require(node.state(atBlock: UInt64(number)))
      Self.check(view, equals: states[number], among: everyone, block: number)
    }
  }

  @Test func aHeldViewOutlivesTheKeptHistory() throws {
    let node = Self.node(threads: 0, history: 2)
    let first = try Self.run(node, blocks: [Self.blocks[0]])
    let held = try #require(node.state(atBlock: 1))
    let rest = try Self.run(node, blocks: Array(Self.blocks[1...]), from: first[1])
    #expect(node.headNumber() == 4)
    #expect(node.state(atBlock: 1) == nil)
    #expect(node.state(atBlock: 0) == nil)
    #expect(node.state(atBlock: 3) != nil)
    let everyone = Self.addresses(first + rest)
    Self.check(held, equals: first[1], among: everyone, block: 1)
    Self.check(try #require(node.state(atBlock: 3)), equals: rest[2], among: everyone, block: 3)
    Self.check(try #require(node.state(atBlock: 4)), equals: rest[3], among: everyone, block: 4)
  }
}
