/// One GeneralStateTests test loaded from JSON: its pre-state, block, transaction template
/// and the post cases of one fork. Format: ../shared/fixtures/ethereum-tests/README.md.
import BraidCrypto
import BraidEVM
import BraidExecution
import BraidPrimitives
import Foundation

struct StateTest: Sendable {
  /// The file as shown in reports, relative to the folder it was found in.
  let file: String
  let name: String
  let pre: InMemoryState
  let env: BlockEnv
  /// A transaction whose fields do not even parse (a value above 2^256, say) is a test of
  /// encoding-level rejection: its cases expect an exception, so the failure is kept per
  /// case instead of failing the whole file.
  let transaction: Result<StateTestTransaction, InputError>
  let cases: [StateTestCase]
  /// Set when the test needs something Braid does not implement; its cases are skipped.
  let skipReason: String?

  static let kzgSkipReason = "KZG point evaluation (0x0a) not implemented"
  private static let pointEvaluation = Address(hi: 0, mid: 0, lo: 0x0a)

  init(file: String, name: String, json: JSONObject, fork: String) throws(InputError) {
    self.file = file
    self.name = name
    pre = try InMemoryState(json: json.object("pre"))
    env = try Self.blockEnv(json.object("env"))
    let txJSON = try json.object("transaction")
    do {
      transaction = .success(try StateTestTransaction(json: txJSON))
    } catch {
      transaction = .failure(error)
    }
    let post = try json.object("post")
    if post.has(fork) {
      var cases: [StateTestCase] = []
      for item in try post.objects(fork) { cases.append(try StateTestCase(json: item)) }
      self.cases = cases
    } else {
      cases = []
    }
    let touchesKZG =
      file.contains("pointEvaluation") || pre.accounts[Self.pointEvaluation] != nil
      || (try? transaction.get().base.to) == Self.pointEvaluation
    skipReason = touchesKZG ? Self.kzgSkipReason : nil
  }

  /// Chain id 1, as in every fixture; a missing excess blob gas or PREVRANDAO reads as zero.
  private static func blockEnv(_ env: JSONObject) throws(InputError) -> BlockEnv {
    BlockEnv(
      chainId: 1,
      number: try env.uint64("currentNumber"),
      timestamp: try env.uint64("currentTimestamp"),
      coinbase: try env.address("currentCoinbase"),
      gasLimit: try env.uint64("currentGasLimit"),
      baseFee: try env.uint256("currentBaseFee"),
      prevRandao: env.has("currentRandom") ? try env.uint256("currentRandom") : .zero,
      excessBlobGas: env.has("currentExcessBlobGas") ? try env.uint64("currentExcessBlobGas") : 0)
  }
}

/// One entry of `post.<fork>`: which data, gas and value to use, and what must come out.
struct StateTestCase: Sendable {
  let data: Int
  let gas: Int
  let value: Int
  let stateRoot: Hash32
  let logsHash: Hash32
  let expectException: String?
  /// The signed transaction as RLP, which the runner decodes to cross-check the decoder.
  let txBytes: Bytes?

  init(json: JSONObject) throws(InputError) {
    let indexes = try json.object("indexes")
    data = try Self.index(indexes, "data")
    gas = try Self.index(indexes, "gas")
    value = try Self.index(indexes, "value")
    stateRoot = try json.hash("hash")
    logsHash = try json.hash("logs")
    expectException = json.has("expectException") ? try json.string("expectException") : nil
    txBytes = json.has("txbytes") ? try json.bytes("txbytes") : nil
  }

  private static func index(_ indexes: JSONObject, _ key: String) throws(InputError) -> Int {
    let v = try indexes.uint64(key)
    guard v < 1 << 32 else { throw InputError("\(indexes.path(key)): index \(v) out of range") }
    return Int(v)
  }
}

/// The `transaction` section: everything but data, gas limit, value and access list is the
/// same for every case, so it is parsed once into `base`; the indexed fields are parsed per
/// case because one bad element (an out-of-range value) must only fail the cases using it.
struct StateTestTransaction: Sendable {
  let base: Transaction
  let data: [String]
  let gasLimits: [String]
  let values: [String]
  /// Parallel to `data`; nil when the transaction has no access lists.
  let accessLists: [[AccessListEntry]]?

  init(json tx: JSONObject) throws(InputError) {
    data = try Self.strings(tx, "data")
    gasLimits = try Self.strings(tx, "gasLimit")
    values = try Self.strings(tx, "value")
    if tx.has("accessLists") {
      var lists: [[AccessListEntry]] = []
      for (i, list) in try tx.array("accessLists").enumerated() {
        lists.append(try Self.accessList(list, in: tx, keyPath: tx.keyPath("accessLists") + "[\(i)]"))
      }
      accessLists = lists
    } else {
      accessLists = nil
    }

    let blobHashes: [Hash32]?
    if tx.has("blobVersionedHashes") {
      var hashes: [Hash32] = []
      for (i, h) in try tx.array("blobVersionedHashes").enumerated() {
        hashes.append(try JSONValue.hash(h, at: tx.path("blobVersionedHashes") + "[\(i)]"))
      }
      blobHashes = hashes
    } else {
      blobHashes = nil
    }

    let type: UInt8
    let maxFee: UInt256
    let priorityFee: UInt256
    if tx.has("maxFeePerGas") {
      type = blobHashes != nil ? 3 : 2
      maxFee = try tx.uint256("maxFeePerGas")
      priorityFee = try tx.uint256("maxPriorityFeePerGas")
    } else {
      type = blobHashes != nil ? 3 : accessLists != nil ? 1 : 0
      maxFee = try tx.uint256("gasPrice")
      priorityFee = maxFee
    }
    let to = try tx.string("to")
    base = Transaction(
      type: type, chainId: 1, nonce: try tx.uint64("nonce"), gasLimit: 0, maxFeePerGas: maxFee,
      maxPriorityFeePerGas: priorityFee,
      to: to.isEmpty ? nil : try JSONValue.address(to, at: tx.path("to")),
      value: .zero, data: [],
      maxFeePerBlobGas: tx.has("maxFeePerBlobGas") ? try tx.uint256("maxFeePerBlobGas") : .zero,
      blobVersionedHashes: blobHashes ?? [], sender: try Self.sender(tx))
  }

  /// The transaction of one case: data[d], gasLimit[g], value[v], accessLists[d].
  func build(_ c: StateTestCase) throws(InputError) -> Transaction {
    guard c.data < data.count, c.gas < gasLimits.count, c.value < values.count else {
      throw InputError("case indexes out of range")
    }
    var tx = base
    tx.data = try JSONValue.bytes(data[c.data], at: "transaction.data[\(c.data)]")
    tx.gasLimit = try JSONValue.uint64(gasLimits[c.gas], at: "transaction.gasLimit[\(c.gas)]")
    tx.value = try JSONValue.uint256(values[c.value], at: "transaction.value[\(c.value)]")
    if let lists = accessLists {
      guard c.data < lists.count else { throw InputError("transaction.accessLists[\(c.data)]: missing") }
      tx.accessList = lists[c.data]
    }
    return tx
  }

  private static func strings(_ tx: JSONObject, _ key: String) throws(InputError) -> [String] {
    var out: [String] = []
    for (i, item) in try tx.array(key).enumerated() {
      out.append(try JSONValue.string(item, at: tx.path(key) + "[\(i)]"))
    }
    return out
  }

  private static func accessList(
    _ value: Any, in tx: JSONObject, keyPath: String
  ) throws(InputError) -> [AccessListEntry] {
    // Fillers write `null` for a data index without an access list.
    if value is NSNull { return [] }
    guard let entries = value as? [Any] else { throw InputError("\(tx.file): \(keyPath): expected an array") }
    var list: [AccessListEntry] = []
    for (i, entry) in entries.enumerated() {
      let e = try JSONObject(entry, file: tx.file, keyPath: keyPath + "[\(i)]")
      var keys: [UInt256] = []
      for (j, key) in try e.array("storageKeys").enumerated() {
        keys.append(try JSONValue.uint256(key, at: e.path("storageKeys") + "[\(j)]"))
      }
      list.append(AccessListEntry(address: try e.address("address"), storageKeys: keys))
    }
    return list
  }

  /// `sender` when the fixture gives it, otherwise the address of `secretKey`'s public key:
  /// the last 20 bytes of keccak256(x ‖ y).
  private static func sender(_ tx: JSONObject) throws(InputError) -> Address {
    if tx.has("sender") { return try tx.address("sender") }
    let key = try tx.bytes("secretKey")
    guard key.count == 32, let publicKey = Secp256k1.publicKey(privateKey: key) else {
      throw InputError("\(tx.path("secretKey")): not a valid secp256k1 private key")
    }
    return Address(Keccak256.hash(publicKey).bytes.suffix(20))
  }
}
