/// A benchmark block file (../shared/bench/README.md): environment, pre-state, transactions
/// with their recovered senders, and what py-evm computed for them.
import BraidEVM
import BraidPrimitives
import Foundation

struct BenchBlock {
  struct ExpectedReceipt {
    let success: Bool
    let gasUsed: UInt64
  }

  /// The file name without `.json.gz` / `.json`, as benchmark reports name blocks.
  let name: String
  let env: BlockEnv
  let pre: InMemoryState
  let transactions: [Transaction]
  let expectedStateRoot: Hash32
  let expectedReceiptsRoot: Hash32
  let expectedGasUsed: UInt64
  let expectedReceipts: [ExpectedReceipt]

  init(path: String) throws(InputError) {
    var base = URL(fileURLWithPath: path).lastPathComponent
    for suffix in [".gz", ".json"] where base.hasSuffix(suffix) { base.removeLast(suffix.count) }
    name = base

    let json = try InputFile.readJSONObject(path)
    let e = try json.object("env")
    env = BlockEnv(
      chainId: try e.uint64("chainId"), number: try e.uint64("number"), timestamp: try e.uint64("timestamp"),
      coinbase: try e.address("coinbase"), gasLimit: try e.uint64("gasLimit"), baseFee: try e.uint256("baseFee"),
      prevRandao: e.has("prevRandao") ? try e.uint256("prevRandao") : .zero)
    pre = try InMemoryState(json: json.object("pre"))

    var transactions: [Transaction] = []
    for tx in try json.objects("transactions") {
      transactions.append(try Self.transaction(tx, chainId: env.chainId))
    }
    self.transactions = transactions

    let expect = try json.object("expect")
    expectedStateRoot = try expect.hash("stateRoot")
    expectedReceiptsRoot = try expect.hash("receiptsRoot")
    expectedGasUsed = try expect.uint64("gasUsed")
    var receipts: [ExpectedReceipt] = []
    for (i, item) in try expect.array("receipts").enumerated() {
      receipts.append(try Self.expectedReceipt(item, in: expect, keyPath: expect.keyPath("receipts") + "[\(i)]"))
    }
    expectedReceipts = receipts
  }

  /// From the decoded fields; `raw` is ignored because `from` already holds the recovered
  /// sender and the benchmark times execution, not signature recovery.
  private static func transaction(_ tx: JSONObject, chainId: UInt64) throws(InputError) -> Transaction {
    let type = try tx.uint64("type")
    guard type <= 2 else { throw InputError("\(tx.path("type")): type \(type) not supported in benchmark blocks") }
    // A create has `to` null, absent or "".
    let toString = tx.has("to") ? try tx.string("to") : ""
    let to = toString.isEmpty ? nil : try JSONValue.address(toString, at: tx.path("to"))
    let maxFee: UInt256
    let priorityFee: UInt256
    if type == 2 {
      maxFee = try tx.uint256("maxFeePerGas")
      priorityFee = try tx.uint256("maxPriorityFeePerGas")
    } else {
      maxFee = try tx.uint256("gasPrice")
      priorityFee = maxFee
    }
    return Transaction(
      type: UInt8(type), chainId: chainId, nonce: try tx.uint64("nonce"), gasLimit: try tx.uint64("gas"),
      maxFeePerGas: maxFee, maxPriorityFeePerGas: priorityFee, to: to, value: try tx.uint256("value"),
      data: try tx.bytes("data"), sender: try tx.address("from"))
  }

  /// Either `[status, gasUsed]` (what workloads.py writes) or `{status, gasUsed}`.
  private static func expectedReceipt(
    _ value: Any, in expect: JSONObject, keyPath: String
  ) throws(InputError) -> ExpectedReceipt {
    let path = "\(expect.file): \(keyPath)"
    let status: UInt64
    let gasUsed: UInt64
    if let pair = value as? [Any] {
      guard pair.count == 2 else { throw InputError("\(path): expected [status, gasUsed]") }
      status = try JSONValue.uint64(pair[0], at: "\(path)[0]")
      gasUsed = try JSONValue.uint64(pair[1], at: "\(path)[1]")
    } else {
      let object = try JSONObject(value, file: expect.file, keyPath: keyPath)
      status = try object.uint64("status")
      gasUsed = try object.uint64("gasUsed")
    }
    guard status <= 1 else { throw InputError("\(path): status \(status) is neither 0 nor 1") }
    return ExpectedReceipt(success: status == 1, gasUsed: gasUsed)
  }
}
