/// What the JSON-RPC and REST handlers need from a chain, and the records they render.
/// `InMemoryChain` implements it for tests and the dev server; the node implements it over
/// its LMDB snapshots and mempool. Everything the handlers can derive themselves (eth_call,
/// gas estimation, fee history, log filtering, JSON shapes) lives in this module, so a
/// backend only answers questions about its own data.
import BraidEVM
import BraidExecution
import BraidPrimitives

/// Called from every event-loop thread at once: implementations must be thread-safe, and
/// must not block (answer submissions through the completion, from any thread).
public protocol ChainBackend: Sendable {
  /// A read-only view of the world state after some block.
  associatedtype State: StateReader

  var chainId: UInt64 { get }

  /// The latest block: what `latest`, `safe` and `finalized` mean (a single sequencer's
  /// blocks are final when made).
  func headNumber() -> UInt64

  /// `/readyz`: the node has opened its storage and can serve requests.
  func isReady() -> Bool

  func block(number: UInt64) -> BlockRecord?
  func block(hash: Hash32) -> BlockRecord?

  /// The state after block `number`, or nil when that state is no longer kept.
  func state(atBlock number: UInt64) -> State?

  /// The next nonce counting pending transactions (`eth_getTransactionCount(.., "pending")`).
  func pendingNonce(of address: Address) -> UInt64

  /// A transaction that is pending or in a block.
  func transaction(hash: Hash32) -> TransactionRecord?
  func receipt(hash: Hash32) -> ReceiptRecord?
  /// Pending, included, rejected with a reason, or unknown (`GET /v1/transactions/{hash}`).
  func status(ofTransaction hash: Hash32) -> TransactionStatus

  /// Logs matching `filter`, in block and log order. A default implementation scans the
  /// blocks through `logs(inBlock:)`, skipping those whose bloom cannot match; a backend
  /// with a log index replaces it.
  func logs(matching filter: LogFilter) throws(RPCError) -> [LogRecord]
  func logs(inBlock number: UInt64) -> [LogRecord]

  /// The priority fee to suggest (`eth_maxPriorityFeePerGas`; `eth_gasPrice` adds the
  /// base fee).
  func suggestedTipCap() -> UInt256

  /// Accounts the node can sign for (`eth_accounts`, `eth_sendTransaction`); empty unless
  /// running a dev chain.
  func devAccounts() -> [Address]

  /// Signs `transaction` with the key of `transaction.sender`, returning its EIP-2718
  /// bytes; `unknown account` when the node holds no such key.
  func sign(_ transaction: Transaction) throws(RPCError) -> Bytes

  /// Admits a signed transaction. `completion` gets its hash once it is accepted (for the
  /// node: journaled), or the refusal in geth's words. It may run before `submit` returns.
  func submit(rawTransaction: Bytes, completion: @escaping @Sendable (Result<Hash32, RPCError>) -> Void)

  /// Admits a signed transaction and answers with its receipt once it is in a block, or
  /// `RPCError.syncTimeout` after `timeout` (EIP-7966).
  func submitAndWait(
    rawTransaction: Bytes, timeout: Duration, completion: @escaping @Sendable (Result<ReceiptRecord, RPCError>) -> Void)

  /// The part of admitting `rawTransaction` that needs no chain state (for the node:
  /// decoding and signature recovery, most of the cost), done ahead so that a batch's
  /// transactions are prepared in parallel and then submitted one by one, in order, with
  /// `submit(prepared:)`. Must be safe to call from several threads at once. The default
  /// prepares nothing.
  func prepareSubmission(rawTransaction: Bytes) -> PreparedSubmission

  /// `prepareSubmission` for several transactions, in order; a backend can share work
  /// between them (the node recovers their senders eight at a time). The default prepares
  /// each on its own.
  func prepareSubmissions(rawTransactions: [Bytes]) -> [PreparedSubmission]

  /// `submit(rawTransaction:)` for what `prepareSubmission` returned.
  func submit(prepared: PreparedSubmission, completion: @escaping @Sendable (Result<Hash32, RPCError>) -> Void)

  /// EIP-1186 proofs (`eth_getProof`) of an account and some of its slots in the state
  /// after block `number`, whose state root is `stateRoot`; nil when the backend cannot
  /// prove that state (the node keeps the tries of its latest state only). The default
  /// proves nothing.
  func stateProof(of address: Address, slots: [UInt256], atBlock number: UInt64, stateRoot: Hash32)
    -> StateProof?

  /// The transactions waiting in the pool (`txpool_*`), of one sender or of all (nil). The
  /// default, for a chain that mines each transaction at once, is an empty pool.
  func txPoolContent(from sender: Address?) -> TxPoolContent
}

/// What waits in a node's pool, per sender and nonce: transactions that can run next
/// (`pending`), and those waiting behind a nonce gap (`queued`), as geth's `txpool`
/// namespace shows them.
public struct TxPoolContent: Sendable {
  public var pending: [Address: [UInt64: TransactionRecord]]
  public var queued: [Address: [UInt64: TransactionRecord]]

  public init(
    pending: [Address: [UInt64: TransactionRecord]] = [:], queued: [Address: [UInt64: TransactionRecord]] = [:]
  ) {
    self.pending = pending
    self.queued = queued
  }
}

/// A raw transaction with what a backend worked out about it before submission.
public struct PreparedSubmission: Sendable {
  public let raw: Bytes
  /// The decoded transaction, sender recovered; nil when refused or not prepared.
  public let decoded: SignedTransaction?
  /// Why it cannot be admitted whatever the chain holds (undecodable, bad signature).
  public let refusal: String?

  public init(raw: Bytes, decoded: SignedTransaction? = nil, refusal: String? = nil) {
    self.raw = raw
    self.decoded = decoded
    self.refusal = refusal
  }
}

extension ChainBackend {
  public func txPoolContent(from sender: Address?) -> TxPoolContent { TxPoolContent() }

  public func stateProof(of address: Address, slots: [UInt256], atBlock number: UInt64, stateRoot: Hash32)
    -> StateProof?
  { nil }

  public func prepareSubmission(rawTransaction: Bytes) -> PreparedSubmission { PreparedSubmission(raw: rawTransaction) }

  public func prepareSubmissions(rawTransactions: [Bytes]) -> [PreparedSubmission] {
    rawTransactions.map { prepareSubmission(rawTransaction: $0) }
  }

  public func submit(
    prepared: PreparedSubmission, completion: @escaping @Sendable (Result<Hash32, RPCError>) -> Void
  ) {
    submit(rawTransaction: prepared.raw, completion: completion)
  }

  public func logs(matching filter: LogFilter) throws(RPCError) -> [LogRecord] {
    guard filter.fromBlock <= filter.toBlock else { return [] }
    var out: [LogRecord] = []
    for number in filter.fromBlock...filter.toBlock {
      guard let block = block(number: number) else { break }
      guard filter.mayMatch(block.header.logsBloom) else { continue }
      for record in logs(inBlock: number) where filter.matches(record.log) {
        out.append(record)
        if out.count > filter.maxResults { throw .server("query returned more than \(filter.maxResults) results") }
      }
    }
    return out
  }
}

/// A block parameter (`latest`, a number, ...).
public enum BlockTag: Sendable, Equatable {
  case latest
  case pending
  case earliest
  case safe
  case finalized
  case number(UInt64)
}

/// A block as EIP-1898 lets a client name it: by tag or number, or by hash.
public enum BlockSelector: Sendable, Equatable {
  case tag(BlockTag)
  case hash(Hash32)
}

/// A header with what rendering it needs besides: its hash, kept so that it is hashed
/// once, and the block's size.
public struct BlockRecord: Sendable {
  public var header: BlockHeader
  /// keccak256 of the header's RLP.
  public let hash: Hash32
  /// The block's RLP size, for the `size` field.
  public var size: UInt64
  public var transactionHashes: [Hash32]

  /// Hashes `header` once. `transactionBytes` is the sum of the transactions' encoded
  /// sizes (with their string prefixes); `size` adds the header and the list prefixes
  /// around the block, its transactions, ommers and withdrawals.
  public init(header: BlockHeader, transactionHashes: [Hash32], transactionBytes: Int) {
    let encoded = header.encoded
    self.header = header
    self.hash = Keccak256.hash(encoded)
    self.size = UInt64(encoded.count + transactionBytes + 9)
    self.transactionHashes = transactionHashes
  }
}

/// Where an included transaction sits.
public struct TransactionLocation: Sendable, Equatable {
  public var blockNumber: UInt64
  public var blockHash: Hash32
  public var index: Int

  public init(blockNumber: UInt64, blockHash: Hash32, index: Int) {
    self.blockNumber = blockNumber
    self.blockHash = blockHash
    self.index = index
  }
}

public struct TransactionRecord: Sendable {
  public var signed: SignedTransaction
  /// Nil while pending.
  public var location: TransactionLocation?
  /// What the sender paid per gas; for a pending transaction, its fee cap.
  public var effectiveGasPrice: UInt256

  public init(signed: SignedTransaction, location: TransactionLocation?, effectiveGasPrice: UInt256) {
    self.signed = signed
    self.location = location
    self.effectiveGasPrice = effectiveGasPrice
  }
}

public struct LogRecord: Sendable, Equatable {
  public var log: Log
  public var location: TransactionLocation
  public var transactionHash: Hash32
  /// The log's position in its block.
  public var logIndex: Int

  public init(log: Log, location: TransactionLocation, transactionHash: Hash32, logIndex: Int) {
    self.log = log
    self.location = location
    self.transactionHash = transactionHash
    self.logIndex = logIndex
  }
}

public struct ReceiptRecord: Sendable {
  public var transactionHash: Hash32
  public var location: TransactionLocation
  public var from: Address
  public var to: Address?
  public var type: UInt8
  public var success: Bool
  public var cumulativeGasUsed: UInt64
  public var gasUsed: UInt64
  public var effectiveGasPrice: UInt256
  public var contractAddress: Address?
  public var logs: [LogRecord]
  public var logsBloom: Bloom

  public init(
    transactionHash: Hash32, location: TransactionLocation, from: Address, to: Address?, type: UInt8, success: Bool,
    cumulativeGasUsed: UInt64, gasUsed: UInt64, effectiveGasPrice: UInt256, contractAddress: Address?,
    logs: [LogRecord], logsBloom: Bloom
  ) {
    self.transactionHash = transactionHash
    self.location = location
    self.from = from
    self.to = to
    self.type = type
    self.success = success
    self.cumulativeGasUsed = cumulativeGasUsed
    self.gasUsed = gasUsed
    self.effectiveGasPrice = effectiveGasPrice
    self.contractAddress = contractAddress
    self.logs = logs
    self.logsBloom = logsBloom
  }
}

public enum TransactionStatus: Sendable {
  case pending(TransactionRecord)
  case included(TransactionRecord, ReceiptRecord)
  /// Refused at admission or dropped from the pool, with the reason in geth's words.
  case rejected(reason: String)
  case unknown
}

/// An `eth_getLogs` filter with its block range resolved.
public struct LogFilter: Sendable, Equatable {
  public var fromBlock: UInt64
  public var toBlock: UInt64
  /// Any of these addresses; empty matches every address.
  public var addresses: [Address]
  /// Position by position: nil matches anything, otherwise any of the listed topics.
  public var topics: [[Hash32]?]
  public var maxResults: Int

  public init(fromBlock: UInt64, toBlock: UInt64, addresses: [Address] = [], topics: [[Hash32]?] = [], maxResults: Int = 10_000) {
    self.fromBlock = fromBlock
    self.toBlock = toBlock
    self.addresses = addresses
    self.topics = topics
    self.maxResults = maxResults
  }

  public func matches(_ log: Log) -> Bool {
    if !addresses.isEmpty && !addresses.contains(log.address) { return false }
    guard topics.count <= log.topics.count else { return false }
    for (i, wanted) in topics.enumerated() {
      if let wanted, !wanted.contains(log.topics[i]) { return false }
    }
    return true
  }

  /// False only when the bloom proves no log of the block can match.
  public func mayMatch(_ bloom: Bloom) -> Bool {
    if !addresses.isEmpty && !addresses.contains(where: { bloom.contains($0.bytes) }) { return false }
    for wanted in topics {
      if let wanted, !wanted.contains(where: { bloom.contains($0.bytes) }) { return false }
    }
    return true
  }
}
