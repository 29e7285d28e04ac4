import BraidEVM
import BraidExecution
import BraidPrimitives
import BraidStorage
import Foundation
import Testing

/// A standard benchmark block (../shared/bench/blocks) executed and committed end to end:
/// the stored state's root must equal py-evm's expected root, and the commit is timed.
/// Runs only when `BRAID_STORAGE_BENCH_BLOCK` names a block file, because executing
/// 10,000 transactions in a debug build takes a while:
///
///     BRAID_STORAGE_BENCH_BLOCK=../shared/bench/blocks/erc20-10000.json.gz \
///       swift test --filter BenchBlockCommitTests
@Suite struct BenchBlockCommitTests {
  static let blockPath = ProcessInfo.processInfo.environment["BRAID_STORAGE_BENCH_BLOCK"]

  struct Block {
    var env: BlockEnv
    var pre: InMemoryState
    var transactions: [Transaction]
    var raw: [Bytes]
    var expectedStateRoot: Hash32
  }

  static func load(_ path: String) throws -> Block {
    let gunzip = Process()
    gunzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
    gunzip.arguments = ["-dc", path]
    let pipe = Pipe()
    gunzip.standardOutput = pipe
    try gunzip.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    gunzip.waitUntilExit()
    let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])

    // Quantities are 0x-hex strings, except `type`, which some files write as a number.
    func word(_ o: [String: Any], _ k: String) throws -> UInt256 {
      if let n = o[k] as? Int { return UInt256(n) }
      return try UInt256(parsing: try #require(o[k] as? String))
    }
    func u64(_ o: [String: Any], _ k: String) throws -> UInt64 { try word(o, k).w0 }
    func bytes(_ o: [String: Any], _ k: String) throws -> Bytes { try Hex.decode(try #require(o[k] as? String)) }

    let e = try #require(json["env"] as? [String: Any])
    let env = BlockEnv(
      chainId: try u64(e, "chainId"), number: try u64(e, "number"), timestamp: try u64(e, "timestamp"),
      coinbase: try Address(hex: try #require(e["coinbase"] as? String)), gasLimit: try u64(e, "gasLimit"),
      baseFee: try word(e, "baseFee"))
    var pre = InMemoryState()
    for (a, value) in try #require(json["pre"] as? [String: [String: Any]]) {
      var storage: [UInt256: UInt256] = [:]
      for (slot, v) in value["storage"] as? [String: String] ?? [:] { storage[try UInt256(parsing: slot)] = try UInt256(parsing: v) }
      pre.accounts[try Address(hex: a)] = AccountState(
        balance: try word(value, "balance"), nonce: try u64(value, "nonce"), code: Code(try bytes(value, "code")),
        storage: storage)
    }
    var transactions: [Transaction] = []
    var raw: [Bytes] = []
    for tx in try #require(json["transactions"] as? [[String: Any]]) {
      let to = (tx["to"] as? String).flatMap { $0.isEmpty ? nil : $0 }
      transactions.append(
        Transaction(
          type: UInt8(try u64(tx, "type")), chainId: env.chainId, nonce: try u64(tx, "nonce"), gasLimit: try u64(tx, "gas"),
          maxFeePerGas: try word(tx, "maxFeePerGas"), maxPriorityFeePerGas: try word(tx, "maxPriorityFeePerGas"),
          to: try to.map { try Address(hex: $0) }, value: try word(tx, "value"), data: try bytes(tx, "data"),
          sender: try Address(hex: try #require(tx["from"] as? String))))
      raw.append(try bytes(tx, "raw"))
    }
    let expect = try #require(json["expect"] as? [String: Any])
    return Block(
      env: env, pre: pre, transactions: transactions, raw: raw,
      expectedStateRoot: try Hash32(hex: try #require(expect["stateRoot"] as? String)))
  }

  @Test(.enabled(if: blockPath != nil))
  func anExecutedBenchBlockCommitsWithTheExpectedRoot() throws {
    let block = try Self.load(try #require(Self.blockPath))
    let t = try TempStore(mapSize: 4 << 30)
    defer { t.cleanUp() }
    try t.store.commitBlock(
      CommittedBlock(header: header(0), transactions: [], receipts: [], changes: StateDiff(from: InMemoryState(), to: block.pre)))

    var post = block.pre
    let result = BlockExecutor.execute(block.transactions, block: block.env, state: &post, threads: 0)
    #expect(post.stateRoot() == block.expectedStateRoot)
    let changes = StateDiff(from: block.pre, to: post)
    let receipts = zip(block.transactions, result.receipts).map { tx, r in
      StoredReceipt(encoded: r.encoded, sender: tx.sender, gasUsed: r.gasUsed, effectiveGasPrice: .zero, contractAddress: nil)
    }
    let committed = CommittedBlock(
      header: header(1, parent: header(0).hash, stateRoot: block.expectedStateRoot), transactions: block.raw,
      receipts: receipts, changes: changes)

    let clock = ContinuousClock()
    let elapsed = try clock.measure { try t.store.commitBlock(committed) }
    print(
      "BraidStorage bench block: \(block.transactions.count) txs, \(changes.accounts.count) accounts and "
        + "\(changes.slotCount) slots changed; commitBlock \(elapsed) (this build's optimisation level)")
    #expect(try t.store.loadState().stateRoot() == block.expectedStateRoot)
    #expect(try t.store.transactions(inBlock: 1)?.count == block.transactions.count)
  }
}
