import BraidEVM
import BraidPrimitives
import BraidStorage
import Testing

@Suite struct StoreRoundTripTests {
  @Test func accountsStorageAndCodeReadBackThroughASnapshot() throws {
    let t = try TempStore()
    defer { t.cleanUp() }
    let code = Code([0x60, 0x01, 0x00])
    var changes = accountChange(address(1), balance: 1_000, nonce: 3, code: code, storage: [UInt256(5): UInt256(77)])
    changes.merge(accountChange(address(2), balance: 5))
    try t.store.commitBlock(block(0, changes))

    let s = try t.store.stateReader()
    #expect(s.headNumber == 0)
    #expect(s.balance(of: address(1)) == UInt256(1_000))
    #expect(s.nonce(of: address(1)) == 3)
    #expect(s.code(of: address(1)).bytes == code.bytes)
    #expect(s.code(of: address(1)).hash == code.hash)
    #expect(s.storage(of: address(1), slot: UInt256(5)) == UInt256(77))
    #expect(s.storage(of: address(1), slot: UInt256(6)) == .zero)
    #expect(s.hasStorage(address(1)))
    #expect(!s.hasStorage(address(2)))
    #expect(s.code(of: address(2)).isEmpty)
    #expect(s.balance(of: address(3)) == .zero)
    #expect(s.blockHash(number: 0) == header(0).hash)
    #expect(s.blockHash(number: 1) == .zero)
  }

  @Test func blocksTransactionsReceiptsAndIndexesReadBack() throws {
    let t = try TempStore()
    defer { t.cleanUp() }
    try t.store.setChainId(1337)
    try t.store.commitBlock(block(0, accountChange(address(1), balance: 10)))
    let txs: [Bytes] = [[0x02, 0xc1, 0x01], [0xc2, 0x05, 0x06]]
    let receipts = [
      StoredReceipt(encoded: [0x02, 0xc0], sender: address(1), gasUsed: 21_000, effectiveGasPrice: UInt256(9), contractAddress: nil),
      StoredReceipt(encoded: [0xc1, 0x80], sender: address(2), gasUsed: 50_000, effectiveGasPrice: UInt256(8), contractAddress: address(9)),
    ]
    let h1 = header(1, parent: header(0).hash)
    try t.store.commitBlock(CommittedBlock(header: h1, transactions: txs, receipts: receipts, changes: StateDiff()))

    #expect(try t.store.headNumber() == 1)
    #expect(try t.store.chainId() == 1337)
    #expect(try t.store.genesisHash() == header(0).hash)
    #expect(try t.store.header(number: 1) == h1)
    #expect(try t.store.header(hash: h1.hash) == h1)
    #expect(try t.store.blockNumber(hash: h1.hash) == 1)
    #expect(try t.store.header(number: 2) == nil)
    #expect(try t.store.transactions(inBlock: 1) == txs)
    #expect(try t.store.transactions(inBlock: 0) == [])
    #expect(try t.store.transactions(inBlock: 5) == nil)
    #expect(try t.store.receipts(inBlock: 1) == receipts)
    #expect(try t.store.transactionPosition(hash: Keccak256.hash(txs[1])) == TransactionPosition(blockNumber: 1, index: 1))
    #expect(try t.store.transactionPosition(hash: Keccak256.hash([0x00])) == nil)
  }

  @Test func headerEncodingDecodesToTheSameFields() throws {
    var h = header(42, parent: Keccak256.hash([1]), stateRoot: Keccak256.hash([2]))
    var bloom = Bloom()
    bloom.add(address: address(3))
    h.logsBloom = bloom
    h.baseFeePerGas = UInt256(1) << 200
    #expect(try BlockHeader(decoding: h.encoded) == h)
  }

  @Test func loadStateReturnsEveryAccountAndSlot() throws {
    let t = try TempStore()
    defer { t.cleanUp() }
    let code = Code([0x5f, 0x5f, 0xf3])
    var changes = StateDiff()
    for i in 1...50 as ClosedRange<UInt32> {
      changes.merge(
        accountChange(
          address(i), balance: UInt64(i) * 100, nonce: UInt64(i), code: i % 2 == 0 ? code : nil,
          storage: [UInt256(UInt64(i)): UInt256(UInt64(i) + 1), .zero: UInt256(9)]))
    }
    try t.store.commitBlock(block(0, changes))
    let state = try t.store.loadState()
    #expect(state.accounts.count == 50)
    for i in 1...50 as ClosedRange<UInt32> {
      let a = try #require(state.accounts[address(i)])
      #expect(a.balance == UInt256(UInt64(i) * 100))
      #expect(a.nonce == UInt64(i))
      #expect(a.code.hash == (i % 2 == 0 ? code.hash : .emptyCode))
      #expect(a.storage == [UInt256(UInt64(i)): UInt256(UInt64(i) + 1), .zero: UInt256(9)])
    }
  }
}
