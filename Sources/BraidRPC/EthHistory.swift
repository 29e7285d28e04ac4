/// Methods that range over blocks: eth_getLogs and eth_feeHistory, with their limits.
import BraidEVM
import BraidPrimitives

/// What a log query selects: one block by hash, or a range whose ends may be tags
/// (`latest` moves), and the addresses and topics a log must match.
struct LogCriteria: Sendable {
  var blockHash: Hash32?
  var from: BlockTag?
  var to: BlockTag?
  var addresses: [Address] = []
  var topics: [[Hash32]?] = []
}

extension EthAPI {
  func logs(_ p: Params) throws(RPCError) -> JSONValue {
    try p.expect(required: 1, max: 1)
    return .array(try logs(logCriteria(p[0])).map(RPCObjects.log))
  }

  /// A filter object of eth_getLogs or eth_newFilter, checked but with its block range
  /// not yet resolved: a filter resolves `latest` each time it is polled.
  func logCriteria(_ value: JSONValue?) throws(RPCError) -> LogCriteria {
    guard case .object(let o)? = value else {
      throw .invalidArgument(0, "json: cannot unmarshal non-object into Go value of type filters.FilterCriteria")
    }
    func param<T>(_ body: () throws(ParamError) -> T) throws(RPCError) -> T {
      do { return try body() } catch { throw .invalidArgument(0, error.message) }
    }
    var criteria = LogCriteria()
    if let hashValue = o["blockHash"], !hashValue.isNull {
      if o["fromBlock"] != nil || o["toBlock"] != nil {
        throw .invalidArgument(0, "cannot specify both BlockHash and FromBlock/ToBlock, choose one or the other")
      }
      criteria.blockHash = try param { () throws(ParamError) in try HexParam.hash(hashValue) }
    } else {
      criteria.from = try o["fromBlock"].flatMap { $0.isNull ? nil : $0 }.map { v throws(RPCError) in
        try param { () throws(ParamError) in try HexParam.blockTag(v) }
      }
      criteria.to = try o["toBlock"].flatMap { $0.isNull ? nil : $0 }.map { v throws(RPCError) in
        try param { () throws(ParamError) in try HexParam.blockTag(v) }
      }
    }
    if let a = o["address"] {
      switch a {
      case .null: break
      case .array(let list):
        for item in list {
          criteria.addresses.append(try param { () throws(ParamError) in try HexParam.address(item) })
        }
      default:
        criteria.addresses = [try param { () throws(ParamError) in try HexParam.address(a) }]
      }
    }
    if let t = o["topics"], !t.isNull {
      guard case .array(let positions) = t else { throw .invalidArgument(0, "invalid topics") }
      if positions.count > 4 { throw .invalidArgument(0, "exceed max topics") }
      for position in positions {
        switch position {
        case .null: criteria.topics.append(nil)
        case .array(let alternatives):
          var hashes: [Hash32] = []
          for h in alternatives where !h.isNull { hashes.append(try param { () throws(ParamError) in try HexParam.hash(h) }) }
          criteria.topics.append(alternatives.contains(where: \.isNull) || hashes.isEmpty ? nil : hashes)
        default:
          criteria.topics.append([try param { () throws(ParamError) in try HexParam.hash(position) }])
        }
      }
    }
    return criteria
  }

  /// The logs `criteria` selects, its range resolved against the head now.
  func logs(_ criteria: LogCriteria) throws(RPCError) -> [LogRecord] {
    var filter = LogFilter(
      fromBlock: 0, toBlock: 0, addresses: criteria.addresses, topics: criteria.topics,
      maxResults: configuration.maxLogResults)
    if let hash = criteria.blockHash {
      guard let block = backend.block(hash: hash) else { throw .server("unknown block") }
      filter.fromBlock = block.header.number
      filter.toBlock = block.header.number
    } else {
      let head = backend.headNumber()
      filter.fromBlock = criteria.from.map(number(of:)) ?? head
      filter.toBlock = min(criteria.to.map(number(of:)) ?? head, head)
      if filter.fromBlock > filter.toBlock && filter.fromBlock <= head { throw .server("invalid block range params") }
      if filter.toBlock >= filter.fromBlock && filter.toBlock - filter.fromBlock >= configuration.maxLogBlockRange {
        throw .server("query exceeds max block range \(configuration.maxLogBlockRange)")
      }
    }
    return try backend.logs(matching: filter)
  }

  /// eth_feeHistory: base fees (one more than blocks, the last being the next block's),
  /// gas used ratios, and for each requested percentile the priority fee paid at that
  /// point of the block's gas, transactions taken in order of their tip.
  func feeHistory(_ p: Params) throws(RPCError) -> JSONValue {
    try p.expect(required: 2, max: 3)
    var count: UInt64
    if let n = p[0]?.uint64Value {
      count = n
    } else {
      count = try p.uint64(0)
    }
    count = min(count, configuration.maxFeeHistoryBlocks)
    let newest = try resolve(p.block(1))
    var percentiles: [Double] = []
    if case .array(let values)? = p[2] {
      for v in values {
        guard case .number(let text) = v, let x = Double(text), x >= 0, x <= 100, x >= (percentiles.last ?? 0) else {
          throw .invalidArgument(2, "invalid reward percentile")
        }
        percentiles.append(x)
      }
    }
    if count == 0 {
      return ["oldestBlock": .quantity(0), "baseFeePerGas": [], "gasUsedRatio": []]
    }
    let oldest = newest.header.number + 1 - min(count, newest.header.number + 1)
    var baseFees: [JSONValue] = []
    var ratios: [JSONValue] = []
    var rewards: [JSONValue] = []
    var blobFees: [JSONValue] = []
    var blobRatios: [JSONValue] = []
    for n in oldest...newest.header.number {
      guard let block = backend.block(number: n) else { throw .headerNotFound }
      let h = block.header
      baseFees.append(.quantity(h.baseFeePerGas))
      blobFees.append(.quantity(1))
      blobRatios.append(.number("0"))
      ratios.append(.number(h.gasLimit == 0 ? "0" : String(Double(h.gasUsed) / Double(h.gasLimit))))
      if !percentiles.isEmpty { rewards.append(.array(blockRewards(block, percentiles).map { .quantity($0) })) }
    }
    baseFees.append(.quantity(FeeMarket.nextBaseFee(parent: newest.header)))
    blobFees.append(.quantity(1))
    var result = JSONObject([
      ("oldestBlock", .quantity(oldest)),
      ("baseFeePerGas", .array(baseFees)),
      ("gasUsedRatio", .array(ratios)),
      ("baseFeePerBlobGas", .array(blobFees)),
      ("blobGasUsedRatio", .array(blobRatios)),
    ])
    if !percentiles.isEmpty { result["reward"] = .array(rewards) }
    return .object(result)
  }

  private func blockRewards(_ block: BlockRecord, _ percentiles: [Double]) -> [UInt256] {
    let baseFee = block.header.baseFeePerGas
    var paid: [(tip: UInt256, gas: UInt64)] = []
    for hash in block.transactionHashes {
      guard let receipt = backend.receipt(hash: hash) else { continue }
      let tip = receipt.effectiveGasPrice > baseFee ? receipt.effectiveGasPrice &- baseFee : .zero
      paid.append((tip, receipt.gasUsed))
    }
    guard !paid.isEmpty else { return percentiles.map { _ in .zero } }
    paid.sort { $0.tip < $1.tip }
    let total = Double(paid.reduce(0) { $0 + $1.gas })
    return percentiles.map { pct in
      let threshold = total * pct / 100
      var cumulative = 0.0
      for entry in paid {
        cumulative += Double(entry.gas)
        if cumulative >= threshold { return entry.tip }
      }
      return paid[paid.count - 1].tip
    }
  }
}

/// EIP-1559's base fee rule.
public enum FeeMarket {
  /// The base fee moves by at most an eighth toward keeping blocks half full.
  public static func nextBaseFee(parent: BlockHeader) -> UInt256 {
    let target = UInt256(parent.gasLimit / 2)
    let used = UInt256(parent.gasUsed)
    if used == target || target.isZero { return parent.baseFeePerGas }
    if target < used {
      let delta = max(parent.baseFeePerGas &* (used &- target) / target / UInt256(8), .one)
      return parent.baseFeePerGas &+ delta
    }
    let delta = parent.baseFeePerGas &* (target &- used) / target / UInt256(8)
    return parent.baseFeePerGas &- delta
  }
}
