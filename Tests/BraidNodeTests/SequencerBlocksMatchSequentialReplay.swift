import BraidEVM
import BraidExecution
import BraidPrimitives
import BraidRPC
import BraidTrie
import Foundation
import Synchronization
import Testing

@testable import BraidNode

@Suite struct SequencerBlocksMatchSequentialReplay {
  static func node(senders: Int, maxTransactions: Int, threads: Int = 2) -> NodeChain {
    let genesis = Genesis(
      chainId: Fixture.chainId, timestamp: 1_700_000_000, alloc: Fixture.state(senders: senders).accounts)
    return NodeChain(
      NodeConfiguration(
        genesis: genesis,
        sequencer: SequencerConfiguration(
          blockInterval: .milliseconds(5), maxTransactions: maxTransactions, execThreads: threads),
        clock: { 1_700_000_000 }))
  }

  /// Transfers among the senders themselves, so transactions of different senders touch
  /// the same accounts and Block-STM has conflicts to resolve.
  static func submitTransfers(to node: NodeChain, senders: Int, perSender: Int) -> [Hash32] {
    var hashes: [Hash32] = []
    for n in 0..<perSender {
      for s in 0..<senders {
        let raw = Fixture.transfer(
          from: s, nonce: UInt64(n), to: Fixture.address((s + 1) % senders), value: UInt256(UInt64(1000 + s)),
          tip: Fixture.gwei(UInt64(1 + s % 3)))
        switch node.mempool.add(raw: raw) {
        case .success(let signed): hashes.append(signed.hash)
        case .failure(let e): Issue.record("refused: \(e)")
        }
      }
    }
    return hashes
  }

  @Test func blocksHoldEveryTransferWithRootsOfASequentialReplay() throws {
    let senders = 6
    let perSender = 5
    let node = Self.node(senders: senders, maxTransactions: 8)
    let hashes = Self.submitTransfers(to: node, senders: senders, perSender: perSender)
    while node.sequencer.produceBlock()?.block != nil {}
    #expect(node.mempool.count == 0)
    #expect(node.headNumber() == 4)  // 30 transfers, 8 per block

    var replay = InMemoryState(accounts: node.configuration.genesis.alloc)
    var parentHash = try #require(node.block(number: 0)).hash
    #expect(try #require(node.block(number: 0)).header.stateRoot == replay.stateRoot())
    for number in 1...node.headNumber() {
      let block = try #require(node.block(number: number))
      let header = block.header
      #expect(header.parentHash == parentHash)
      parentHash = block.hash
      #expect(Keccak256.hash(header.encoded) == block.hash)
      let records = block.transactionHashes.map { node.transaction(hash: $0)! }
      // Per sender, nonces ascend within the block.
      var lastNonce: [Address: UInt64] = [:]
      for r in records {
        let tx = r.signed.transaction
        if let previous = lastNonce[tx.sender] { #expect(tx.nonce == previous + 1) }
        lastNonce[tx.sender] = tx.nonce
      }
      let env = header.environment(chainId: Fixture.chainId)
      let result = BlockExecutor.execute(
        records.map(\.signed.transaction), block: env, state: &replay, threads: 0)
      #expect(header.stateRoot == replay.stateRoot())
      #expect(header.receiptsRoot == Receipt.root(result.receipts))
      #expect(header.transactionsRoot == MerklePatriciaTrie.orderedRoot(records.map(\.signed.raw)))
      #expect(header.gasUsed == result.gasUsed)
      for (hash, expected) in zip(block.transactionHashes, result.receipts) {
        let receipt = try #require(node.receipt(hash: hash))
        #expect(receipt.success && expected.success)
        #expect(receipt.cumulativeGasUsed == expected.cumulativeGasUsed)
        #expect(receipt.gasUsed == 21_000)
        #expect(receipt.location.blockHash == block.hash)
      }
    }
    for hash in hashes {
      guard case .included = node.status(ofTransaction: hash) else {
        Issue.record("\(hash) not included")
        continue
      }
    }
    // Full blocks push the base fee up (EIP-1559), empty ones would pull it down.
    let b1 = try #require(node.block(number: 1)).header
    let b2 = try #require(node.block(number: 2)).header
    #expect(b2.baseFeePerGas == FeeMarket.nextBaseFee(parent: b1))
  }

  @Test func aTransactionThatCannotPayIsExcludedAndReported() throws {
    var alloc = Fixture.state(senders: 2).accounts
    // Enough for one transfer at the fee cap, not two.
    alloc[Fixture.address(1)]!.balance = UInt256(21_000) &* Fixture.gwei(3) &+ UInt256(1500)
    let genesis = Genesis(chainId: Fixture.chainId, alloc: alloc)
    let node = NodeChain(NodeConfiguration(genesis: genesis, clock: { 1 }))
    // Each is admitted against the balance alone; together they cannot both pay.
    let first = try node.mempool.add(raw: Fixture.transfer(from: 1, nonce: 0)).get()
    let second = try node.mempool.add(raw: Fixture.transfer(from: 1, nonce: 1)).get()
    let outcome = try #require(node.sequencer.produceBlock())
    #expect(outcome.block?.receipts.count == 1)
    #expect(node.receipt(hash: first.hash)?.success == true)
    #expect(node.receipt(hash: second.hash) == nil)
    guard case .rejected(let reason) = node.status(ofTransaction: second.hash) else {
      Issue.record("not rejected")
      return
    }
    #expect(reason == "insufficient funds for gas * price + value")
    #expect(node.mempool.count == 0)
  }

  @Test func blockhashSeesThisChainsHashes() throws {
    // Stores BLOCKHASH(NUMBER - 1) in slot 0.
    let contract = Address(hi: 0xb10c, mid: 0, lo: 0)
    var alloc = Fixture.state(senders: 1).accounts
    alloc[contract] = AccountState(code: Code([0x60, 0x01, 0x43, 0x03, 0x40, 0x60, 0x00, 0x55, 0x00]))
    let node = NodeChain(
      NodeConfiguration(genesis: Genesis(chainId: Fixture.chainId, alloc: alloc), clock: { 1 }))
    _ = try node.mempool.add(raw: Fixture.transfer(from: 0, nonce: 0)).get()
    #expect(node.sequencer.produceBlock()?.block != nil)
    _ = try node.mempool.add(raw: Fixture.transfer(from: 0, nonce: 1, to: contract, gas: 100_000)).get()
    #expect(node.sequencer.produceBlock()?.block != nil)
    let block1 = try #require(node.block(number: 1))
    #expect(node.state(atBlock: 2)?.storage(of: contract, slot: .zero) == block1.hash.word)
  }

  @Test func theSequencerThreadMakesBlocksOnItsOwn() throws {
    let node = Self.node(senders: 4, maxTransactions: 5)
    node.start()
    defer { node.stop() }
    let hashes = Self.submitTransfers(to: node, senders: 4, perSender: 3)
    let deadline = Date().addingTimeInterval(10)
    while Date() < deadline, hashes.contains(where: { node.receipt(hash: $0) == nil }) {
      Thread.sleep(forTimeInterval: 0.005)
    }
    #expect(hashes.allSatisfy { node.receipt(hash: $0) != nil })
    #expect(node.headNumber() >= 3)
    // Idle: no empty blocks.
    let head = node.headNumber()
    Thread.sleep(forTimeInterval: 0.05)
    #expect(node.headNumber() == head)
  }

  @Test func sendRawTransactionSyncAnswersWithTheReceipt() throws {
    let node = Self.node(senders: 1, maxTransactions: 100)
    node.start()
    defer { node.stop() }
    let box = Box()
    node.submitAndWait(rawTransaction: Fixture.transfer(from: 0, nonce: 0), timeout: .seconds(10)) {
      box.set($0)
    }
    let deadline = Date().addingTimeInterval(10)
    while Date() < deadline, box.get() == nil { Thread.sleep(forTimeInterval: 0.005) }
    let receipt = try #require(try box.get()?.get())
    #expect(receipt.success)
    #expect(receipt.location.blockNumber == 1)
  }
}

final class Box: Sendable {
  private let value = Mutex<Result<ReceiptRecord, RPCError>?>(nil)
  func set(_ r: Result<ReceiptRecord, RPCError>) { value.withLock { $0 = r } }
  func get() -> Result<ReceiptRecord, RPCError>? { value.withLock { $0 } }
}
