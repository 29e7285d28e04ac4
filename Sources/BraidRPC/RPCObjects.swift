/// The JSON shapes of blocks, transactions, receipts and logs, field for field as the
/// Ethereum JSON-RPC spec (execution-apis) and geth render them for Cancun blocks.
import BraidEVM
import BraidPrimitives

enum RPCObjects {
  static func block(_ b: BlockRecord, transactions: JSONValue) -> JSONValue {
    let h = b.header
    return .object(
      JSONObject([
        ("baseFeePerGas", .quantity(h.baseFeePerGas)),
        ("blobGasUsed", .quantity(0)),
        ("difficulty", .quantity(0)),
        ("excessBlobGas", .quantity(0)),
        ("extraData", .data(h.extraData)),
        ("gasLimit", .quantity(h.gasLimit)),
        ("gasUsed", .quantity(h.gasUsed)),
        ("hash", .hash(b.hash)),
        ("logsBloom", .data(h.logsBloom.bytes)),
        ("miner", .address(h.coinbase)),
        ("mixHash", .hash(h.prevRandao)),
        ("nonce", "0x0000000000000000"),
        ("number", .quantity(h.number)),
        ("parentBeaconBlockRoot", .hash(Hash32.zero)),
        ("parentHash", .hash(h.parentHash)),
        ("receiptsRoot", .hash(h.receiptsRoot)),
        ("sha3Uncles", .hash(BlockHeader.emptyOmmersHash)),
        ("size", .quantity(b.size)),
        ("stateRoot", .hash(h.stateRoot)),
        ("timestamp", .quantity(h.timestamp)),
        ("transactions", transactions),
        ("transactionsRoot", .hash(h.transactionsRoot)),
        ("uncles", .array([])),
        ("withdrawals", .array([])),
        ("withdrawalsRoot", .hash(Hash32.emptyTrie)),
      ]))
  }

  static func transaction(_ record: TransactionRecord) -> JSONValue {
    let tx = record.signed.transaction
    var o = JSONObject([
      ("blockHash", .hash(record.location?.blockHash)),
      ("blockNumber", record.location.map { .quantity($0.blockNumber) } ?? .null),
      ("from", .address(tx.sender)),
      ("gas", .quantity(tx.gasLimit)),
      ("gasPrice", .quantity(record.effectiveGasPrice)),
    ])
    if tx.type >= 2 {
      o["maxFeePerGas"] = .quantity(tx.maxFeePerGas)
      o["maxPriorityFeePerGas"] = .quantity(tx.maxPriorityFeePerGas)
    }
    o["hash"] = .hash(record.signed.hash)
    o["input"] = .data(tx.data)
    o["nonce"] = .quantity(tx.nonce)
    o["to"] = .address(tx.to)
    o["transactionIndex"] = record.location.map { .quantity($0.index) } ?? .null
    o["value"] = .quantity(tx.value)
    o["type"] = .quantity(Int(tx.type))
    if tx.type >= 1 {
      o["accessList"] = .array(
        tx.accessList.map { e in
          ["address": .address(e.address), "storageKeys": .array(e.storageKeys.map { .hash(Hash32(word: $0)) })]
        })
    }
    if let chainId = tx.chainId { o["chainId"] = .quantity(chainId) }
    if tx.type == 3 {
      o["maxFeePerBlobGas"] = .quantity(tx.maxFeePerBlobGas)
      o["blobVersionedHashes"] = .array(tx.blobVersionedHashes.map { .hash($0) })
    }
    if let sig = TransactionSigner.signature(of: record.signed.raw) {
      o["v"] = .quantity(sig.v)
      o["r"] = .quantity(sig.r)
      o["s"] = .quantity(sig.s)
      if tx.type >= 1, let parity = sig.yParity { o["yParity"] = .quantity(parity) }
    }
    return .object(o)
  }

  static func receipt(_ r: ReceiptRecord) -> JSONValue {
    .object(
      JSONObject([
        ("blockHash", .hash(r.location.blockHash)),
        ("blockNumber", .quantity(r.location.blockNumber)),
        ("contractAddress", .address(r.contractAddress)),
        ("cumulativeGasUsed", .quantity(r.cumulativeGasUsed)),
        ("effectiveGasPrice", .quantity(r.effectiveGasPrice)),
        ("from", .address(r.from)),
        ("gasUsed", .quantity(r.gasUsed)),
        ("logs", .array(r.logs.map(log))),
        ("logsBloom", .data(r.logsBloom.bytes)),
        ("status", .quantity(r.success ? 1 : 0)),
        ("to", .address(r.to)),
        ("transactionHash", .hash(r.transactionHash)),
        ("transactionIndex", .quantity(r.location.index)),
        ("type", .quantity(Int(r.type))),
      ]))
  }

  static func log(_ l: LogRecord) -> JSONValue {
    .object(
      JSONObject([
        ("address", .address(l.log.address)),
        ("blockHash", .hash(l.location.blockHash)),
        ("blockNumber", .quantity(l.location.blockNumber)),
        ("data", .data(l.log.data)),
        ("logIndex", .quantity(l.logIndex)),
        ("removed", false),
        ("topics", .array(l.log.topics.map { .hash($0) })),
        ("transactionHash", .hash(l.transactionHash)),
        ("transactionIndex", .quantity(l.location.index)),
      ]))
  }
}
