/// The `eth_`, `net_` and `web3_` methods: parameter decoding, the reads they make through
/// `ChainBackend`, and the JSON they answer with. Dispatch is one `switch` on the method
/// name; a method either answers at once or, for submissions, starts work that answers
/// through a callback.
import BraidEVM
import BraidPrimitives

public struct RPCConfiguration: Sendable {
  /// `web3_clientVersion`.
  public var clientVersion: String
  /// Calls per batch; geth's default.
  public var maxBatchSize: Int
  /// Gas for eth_call and eth_estimateGas (geth's `--rpc.gascap`).
  public var gasCap: UInt64
  /// eth_sendRawTransactionSync's default and longest wait (EIP-7966 recommends 2 s).
  public var syncTimeout: Duration
  public var maxSyncTimeout: Duration
  /// Filters (eth_newFilter and the like): dropped when not polled for `filterTimeout`
  /// (geth's five minutes), at most `maxFilters` at once.
  public var filterTimeout: Duration
  public var maxFilters: Int
  /// eth_getLogs limits.
  public var maxLogBlockRange: UInt64
  public var maxLogResults: Int
  public var maxFeeHistoryBlocks: UInt64

  public init(
    clientVersion: String = "Braid/v0.1.0/linux/swift6", maxBatchSize: Int = 1000, gasCap: UInt64 = 50_000_000,
    syncTimeout: Duration = .seconds(2), maxSyncTimeout: Duration = .seconds(10), maxLogBlockRange: UInt64 = 10_000,
    maxLogResults: Int = 10_000, maxFeeHistoryBlocks: UInt64 = 1024, filterTimeout: Duration = .seconds(300),
    maxFilters: Int = 10_000
  ) {
    self.clientVersion = clientVersion
    self.maxBatchSize = maxBatchSize
    self.gasCap = gasCap
    self.syncTimeout = syncTimeout
    self.maxSyncTimeout = maxSyncTimeout
    self.maxLogBlockRange = maxLogBlockRange
    self.maxLogResults = maxLogResults
    self.maxFeeHistoryBlocks = maxFeeHistoryBlocks
    self.filterTimeout = filterTimeout
    self.maxFilters = maxFilters
  }
}

/// A method's answer: now, or later through the callback `start` is given.
enum CallOutcome {
  case value(JSONValue)
  /// A result already written as JSON (the bulky objects: receipts).
  case encoded([UInt8])
  case failure(RPCError)
  case pending(start: (@escaping @Sendable (Result<JSONValue, RPCError>) -> Void) -> Void)
}

struct EthAPI<Backend: ChainBackend>: Sendable {
  let backend: Backend
  let configuration: RPCConfiguration
  let filters: FilterRegistry
  private let chainIdHex: String
  private let netVersion: String

  init(backend: Backend, configuration: RPCConfiguration) {
    self.backend = backend
    self.configuration = configuration
    filters = FilterRegistry(timeout: configuration.filterTimeout, maxFilters: configuration.maxFilters)
    chainIdHex = Quantity.hex(backend.chainId)
    netVersion = String(backend.chainId)
  }

  /// Every method served, for metrics labels and the OpenAPI document.
  static var methods: [String] {
    [
      "web3_clientVersion", "web3_sha3", "net_version", "net_listening", "eth_chainId", "eth_syncing",
      "eth_blockNumber", "eth_accounts", "eth_gasPrice", "eth_maxPriorityFeePerGas", "eth_feeHistory",
      "eth_getBalance", "eth_getTransactionCount", "eth_getCode", "eth_getStorageAt", "eth_call", "eth_estimateGas",
      "eth_sendRawTransaction", "eth_sendRawTransactionSync", "eth_sendTransaction", "eth_getTransactionByHash",
      "eth_getTransactionReceipt", "eth_getBlockReceipts", "eth_getBlockByNumber", "eth_getBlockByHash",
      "eth_getBlockTransactionCountByNumber", "eth_getBlockTransactionCountByHash", "eth_getLogs",
      "eth_createAccessList", "eth_getProof",
    ] + blockPositionMethods + filterMethods + txPoolMethods
  }

  func call(_ method: String, _ rawParams: JSONValue?, prepared: PreparedSubmission? = nil) -> CallOutcome {
    do {
      let p = try Params(rawParams)
      switch method {
      case "eth_chainId":
        try p.expect(required: 0, max: 0)
        return .value(.string(chainIdHex))
      case "eth_blockNumber":
        try p.expect(required: 0, max: 0)
        return .value(.quantity(backend.headNumber()))
      case "web3_clientVersion":
        try p.expect(required: 0, max: 0)
        return .value(.string(configuration.clientVersion))
      case "web3_sha3":
        try p.expect(required: 1, max: 1)
        return .value(.hash(Keccak256.hash(try p.data(0))))
      case "net_version":
        try p.expect(required: 0, max: 0)
        return .value(.string(netVersion))
      case "net_listening":
        try p.expect(required: 0, max: 0)
        return .value(true)
      case "eth_syncing":
        try p.expect(required: 0, max: 0)
        return .value(false)
      case "eth_accounts":
        try p.expect(required: 0, max: 0)
        return .value(.array(backend.devAccounts().map { .address($0) }))
      case "eth_gasPrice":
        try p.expect(required: 0, max: 0)
        return .value(.quantity(try head().header.baseFeePerGas &+ backend.suggestedTipCap()))
      case "eth_maxPriorityFeePerGas":
        try p.expect(required: 0, max: 0)
        return .value(.quantity(backend.suggestedTipCap()))
      case "eth_feeHistory": return .value(try feeHistory(p))
      case "eth_getBalance":
        try p.expect(required: 1, max: 2)
        let address = try p.address(0)
        return .value(.quantity(try state(p.block(1)).balance(of: address)))
      case "eth_getTransactionCount":
        try p.expect(required: 1, max: 2)
        let address = try p.address(0)
        let block = try p.block(1)
        if block == .tag(.pending) { return .value(.quantity(backend.pendingNonce(of: address))) }
        return .value(.quantity(try state(block).nonce(of: address)))
      case "eth_getCode":
        try p.expect(required: 1, max: 2)
        let address = try p.address(0)
        return .value(.data(try state(p.block(1)).code(of: address).bytes))
      case "eth_getStorageAt":
        try p.expect(required: 2, max: 3)
        let address = try p.address(0)
        let slot = try storageSlot(p, 1)
        return .value(.hash(Hash32(word: try state(p.block(2)).storage(of: address, slot: slot))))
      case "eth_call": return try ethCall(p)
      case "eth_estimateGas": return try estimateGas(p)
      case "eth_createAccessList": return try createAccessList(p)
      case "eth_getProof": return try getProof(p)
      case "eth_sendRawTransaction": return try sendRawTransaction(p, prepared: prepared)
      case "eth_sendRawTransactionSync": return try sendRawTransactionSync(p)
      case "eth_sendTransaction": return try sendTransaction(p)
      case "eth_getTransactionByHash":
        try p.expect(required: 1, max: 1)
        return .value(backend.transaction(hash: try p.hash(0)).map(RPCObjects.transaction) ?? .null)
      case "eth_getTransactionReceipt":
        try p.expect(required: 1, max: 1)
        guard let receipt = backend.receipt(hash: try p.hash(0)) else { return .value(.null) }
        var w = JSONWriter(capacity: 1800)
        w.write(receipt: receipt)
        return .encoded(w.bytes)
      case "eth_getBlockReceipts":
        try p.expect(required: 1, max: 1)
        guard let block = try findBlock(p.block(0)) else { return .value(.null) }
        return .encoded(try blockReceipts(block))
      case "eth_getBlockByNumber":
        try p.expect(required: 2, max: 2)
        return .value(try blockObject(findBlock(p.block(0)), full: p.bool(1)))
      case "eth_getBlockByHash":
        try p.expect(required: 2, max: 2)
        return .value(try blockObject(backend.block(hash: p.hash(0)), full: p.bool(1)))
      case "eth_getBlockTransactionCountByNumber":
        try p.expect(required: 1, max: 1)
        return .value(try findBlock(p.block(0)).map { .quantity($0.transactionHashes.count) } ?? .null)
      case "eth_getBlockTransactionCountByHash":
        try p.expect(required: 1, max: 1)
        return .value(try backend.block(hash: p.hash(0)).map { .quantity($0.transactionHashes.count) } ?? .null)
      case "eth_getLogs": return .value(try logs(p))
      default:
        if let outcome = try blockPositionCall(method, p) { return outcome }
        if let outcome = try filterCall(method, p) { return outcome }
        if let outcome = try txPoolCall(method, p) { return outcome }
        return .failure(.methodNotFound(method))
      }
    } catch {
      return .failure(error)
    }
  }

  // MARK: Blocks and state

  /// Every receipt of a block, in transaction order, as one JSON array (geth's
  /// `eth_getBlockReceipts`): one call instead of one per transaction for a client that
  /// follows the chain.
  func blockReceipts(_ block: BlockRecord) throws(RPCError) -> [UInt8] {
    var w = JSONWriter(capacity: 2 + block.transactionHashes.count * 900)
    w.write(rawASCII: "[")
    for (i, hash) in block.transactionHashes.enumerated() {
      // A block is published with its receipts, so a missing one is a store fault.
      guard let receipt = backend.receipt(hash: hash) else { throw .server("receipt of \(hash) not found") }
      if i > 0 { w.write(rawASCII: ",") }
      w.write(receipt: receipt)
    }
    w.write(rawASCII: "]")
    return w.bytes
  }

  func head() throws(RPCError) -> BlockRecord {
    guard let b = backend.block(number: backend.headNumber()) else { throw .headerNotFound }
    return b
  }

  /// The block a selector names, nil when there is none (eth_getBlockBy* answer null).
  func findBlock(_ selector: BlockSelector) throws(RPCError) -> BlockRecord? {
    switch selector {
    case .hash(let h): return backend.block(hash: h)
    case .tag(let tag): return backend.block(number: number(of: tag))
    }
  }

  /// The block a state query names; a block that does not exist is an error.
  func resolve(_ selector: BlockSelector) throws(RPCError) -> BlockRecord {
    switch selector {
    case .hash(let h):
      guard let b = backend.block(hash: h) else { throw .server("header for hash not found") }
      return b
    case .tag(let tag):
      guard let b = backend.block(number: number(of: tag)) else { throw .headerNotFound }
      return b
    }
  }

  func number(of tag: BlockTag) -> UInt64 {
    switch tag {
    case .latest, .pending, .safe, .finalized: return backend.headNumber()
    case .earliest: return 0
    case .number(let n): return n
    }
  }

  func state(_ selector: BlockSelector) throws(RPCError) -> Backend.State {
    let block = try resolve(selector)
    guard let s = backend.state(atBlock: block.header.number) else {
      throw .server("missing trie node: state of block \(block.header.number) is not available")
    }
    return s
  }

  /// A storage key as geth reads it: up to 32 bytes of hex, left-padded, odd length allowed.
  private func storageSlot(_ p: Params, _ i: Int) throws(RPCError) -> UInt256 {
    guard case .string(let s)? = p[i] else {
      throw .invalidArgument(i, "json: cannot unmarshal non-string into Go value of type string")
    }
    return try Self.slotKey(s, argument: i)
  }

  /// Hex of at most 32 bytes, odd length allowed, left-padded: how geth reads a storage key
  /// (eth_getStorageAt, eth_getProof).
  static func slotKey(_ s: String, argument i: Int) throws(RPCError) -> UInt256 {
    guard s.hasPrefix("0x") || s.hasPrefix("0X") else { throw .invalidArgument(i, "hex string without 0x prefix") }
    let digits = s.utf8.dropFirst(2)
    guard digits.count <= 64 else { throw .invalidArgument(i, "hex string too long, want at most 32 bytes") }
    var value = UInt256.zero
    for c in digits {
      guard let n = HexParam.nibble(c) else { throw .invalidArgument(i, "invalid hex string") }
      value = value << 4 | UInt256(UInt64(n))
    }
    return value
  }

  func blockObject(_ block: BlockRecord?, full: Bool) -> JSONValue {
    guard let block else { return .null }
    let transactions: JSONValue
    if full {
      transactions = .array(block.transactionHashes.compactMap { backend.transaction(hash: $0).map(RPCObjects.transaction) })
    } else {
      transactions = .array(block.transactionHashes.map { .hash($0) })
    }
    return RPCObjects.block(block, transactions: transactions)
  }

  // MARK: Calls

  private func ethCall(_ p: Params) throws(RPCError) -> CallOutcome {
    try p.expect(required: 1, max: 3)
    let request = try p.callRequest(0)
    let block = try resolve(p.block(1))
    var execution = try callExecution(at: block)
    execution.overrides = try p.stateOverrides(2)
    switch execution.call(request) {
    case .failure(let e): return .failure(e)
    case .success(let r) where r.success: return .value(.data(r.output))
    case .success(let r):
      return .failure(CallExecution<Backend.State>.failure(r, gasLimit: min(request.gas ?? configuration.gasCap, configuration.gasCap)))
    }
  }

  private func estimateGas(_ p: Params) throws(RPCError) -> CallOutcome {
    try p.expect(required: 1, max: 3)
    let request = try p.callRequest(0)
    let block = try resolve(p.block(1))
    var execution = try callExecution(at: block)
    execution.overrides = try p.stateOverrides(2)
    switch execution.estimateGas(request) {
    case .success(let gas): return .value(.quantity(gas))
    case .failure(let e): return .failure(e)
    }
  }

  func callExecution(at block: BlockRecord) throws(RPCError) -> CallExecution<Backend.State> {
    guard let s = backend.state(atBlock: block.header.number) else {
      throw .server("missing trie node: state of block \(block.header.number) is not available")
    }
    return CallExecution(state: s, block: block.header.environment(chainId: backend.chainId), gasCap: configuration.gasCap)
  }
}
