/// What the store keeps per block: the header, each receipt with what a JSON-RPC receipt
/// needs besides the consensus encoding, and the `CommittedBlock` handed to `commitBlock`.
import BraidEVM
import BraidPrimitives

/// A post-merge (Cancun) block header. `encoded` is the consensus RLP, so `hash` is the
/// real block hash; the fields a single sequencer always leaves at their constant value
/// (ommers, difficulty, nonce, withdrawals, blob gas, beacon root) are not stored apart.
public struct StoredHeader: Sendable, Equatable {
  public var number: UInt64
  public var parentHash: Hash32
  public var stateRoot: Hash32
  public var transactionsRoot: Hash32
  public var receiptsRoot: Hash32
  public var logsBloom: Bloom
  public var coinbase: Address
  public var gasLimit: UInt64
  public var gasUsed: UInt64
  public var timestamp: UInt64
  public var baseFeePerGas: UInt256
  public var prevRandao: Hash32
  public var extraData: Bytes

  public init(
    number: UInt64, parentHash: Hash32, stateRoot: Hash32, transactionsRoot: Hash32 = .emptyTrie,
    receiptsRoot: Hash32 = .emptyTrie, logsBloom: Bloom = .empty, coinbase: Address = .zero, gasLimit: UInt64,
    gasUsed: UInt64 = 0, timestamp: UInt64, baseFeePerGas: UInt256, prevRandao: Hash32 = .zero, extraData: Bytes = []
  ) {
    self.number = number
    self.parentHash = parentHash
    self.stateRoot = stateRoot
    self.transactionsRoot = transactionsRoot
    self.receiptsRoot = receiptsRoot
    self.logsBloom = logsBloom
    self.coinbase = coinbase
    self.gasLimit = gasLimit
    self.gasUsed = gasUsed
    self.timestamp = timestamp
    self.baseFeePerGas = baseFeePerGas
    self.prevRandao = prevRandao
    self.extraData = extraData
  }

  /// keccak256(rlp([])): every post-merge block has no ommers.
  static let emptyOmmersHash = Keccak256.hash([0xc0])

  /// The field order of the Cancun header (EIP-1559 base fee, EIP-4895 withdrawals root,
  /// EIP-4844 blob gas, EIP-4788 parent beacon root appended in that order).
  public var encoded: Bytes {
    var w = RLPWriter(capacity: 620)
    w.appendList { (w: inout RLPWriter) in
      w.append(hash: parentHash)
      w.append(hash: Self.emptyOmmersHash)
      w.append(address: coinbase)
      w.append(hash: stateRoot)
      w.append(hash: transactionsRoot)
      w.append(hash: receiptsRoot)
      w.append(bytes: logsBloom.bytes)
      w.append(uint: 0)  // difficulty
      w.append(uint: number)
      w.append(uint: gasLimit)
      w.append(uint: gasUsed)
      w.append(uint: timestamp)
      w.append(bytes: extraData)
      w.append(hash: prevRandao)
      w.append(bytes: Bytes(repeating: 0, count: 8))  // nonce
      w.append(uint256: baseFeePerGas)
      w.append(hash: .emptyTrie)  // withdrawals root: no withdrawals
      w.append(uint: 0)  // blob gas used
      w.append(uint: 0)  // excess blob gas
      w.append(hash: .zero)  // parent beacon block root
    }
    return w.bytes
  }

  public var hash: Hash32 { Keccak256.hash(encoded) }

  public init(decoding bytes: Bytes) throws(RLPError) {
    var outer = RLPReader(bytes)
    var h = try outer.readList()
    parentHash = try h.readHash32()
    _ = try h.readHash32()
    coinbase = try h.readAddress()
    stateRoot = try h.readHash32()
    transactionsRoot = try h.readHash32()
    receiptsRoot = try h.readHash32()
    let bloom = try h.readBytes()
    guard bloom.count == Bloom.byteCount else { throw .wrongLength(expected: Bloom.byteCount, actual: bloom.count) }
    logsBloom = Bloom(bytes: bloom)
    _ = try h.readUInt256()
    number = try h.readUInt64()
    gasLimit = try h.readUInt64()
    gasUsed = try h.readUInt64()
    timestamp = try h.readUInt64()
    extraData = try h.readBytes()
    prevRandao = try h.readHash32()
    _ = try h.readBytes()
    baseFeePerGas = try h.readUInt256()
    // Withdrawals root, blob gas used, excess blob gas, beacon root: constant here.
    while !h.isAtEnd { _ = try h.skipItem() }
  }
}

/// One transaction's receipt as stored: the consensus encoding (`Receipt.encoded`, what
/// the receipts root commits to) plus what `eth_getTransactionReceipt` shows and could
/// otherwise only get by recovering the signature again or replaying the block.
public struct StoredReceipt: Sendable, Equatable {
  /// EIP-2718: the type byte (when not legacy) then rlp([status, cumulativeGas, bloom, logs]).
  public var encoded: Bytes
  public var sender: Address
  public var gasUsed: UInt64
  public var effectiveGasPrice: UInt256
  public var contractAddress: Address?

  public init(encoded: Bytes, sender: Address, gasUsed: UInt64, effectiveGasPrice: UInt256, contractAddress: Address?) {
    self.encoded = encoded
    self.sender = sender
    self.gasUsed = gasUsed
    self.effectiveGasPrice = effectiveGasPrice
    self.contractAddress = contractAddress
  }

  func append(to w: inout RLPWriter) {
    w.appendList { (w: inout RLPWriter) in
      w.append(bytes: encoded)
      w.append(address: sender)
      w.append(uint: gasUsed)
      w.append(uint256: effectiveGasPrice)
      w.append(bytes: contractAddress?.bytes ?? [])
    }
  }

  init(reading list: inout RLPReader) throws(RLPError) {
    var r = try list.readList()
    encoded = try r.readBytes()
    sender = try r.readAddress()
    gasUsed = try r.readUInt64()
    effectiveGasPrice = try r.readUInt256()
    contractAddress = try r.readOptionalAddress()
    try r.finish()
  }

  static func encodeList(_ receipts: [StoredReceipt]) -> Bytes {
    var w = RLPWriter(capacity: receipts.reduce(16) { $0 + $1.encoded.count + 80 })
    w.appendList { (w: inout RLPWriter) in
      for r in receipts { r.append(to: &w) }
    }
    return w.bytes
  }

  static func decodeList(_ bytes: Bytes) throws(RLPError) -> [StoredReceipt] {
    var outer = RLPReader(bytes)
    var list = try outer.readList()
    var out: [StoredReceipt] = []
    while !list.isAtEnd { out.append(try StoredReceipt(reading: &list)) }
    return out
  }
}

/// Where an included transaction is.
public struct TransactionPosition: Sendable, Equatable {
  public var blockNumber: UInt64
  public var index: Int

  public init(blockNumber: UInt64, index: Int) {
    self.blockNumber = blockNumber
    self.index = index
  }
}

/// Everything one block changes, committed together by `Store.commitBlock`.
public struct CommittedBlock: Sendable {
  public var header: StoredHeader
  /// The EIP-2718 bytes of each transaction, in block order.
  public var transactions: [Bytes]
  /// keccak256 of each transaction's bytes; computed from `transactions` unless given.
  public var transactionHashes: [Hash32]
  /// One per transaction, in block order.
  public var receipts: [StoredReceipt]
  /// The block's state changes merged into one change per account: see
  /// `StateDiff.merging(_:)` and `StateDiff(from:to:)`.
  public var changes: StateDiff
  /// Journal entries up to and including this sequence are removed in the same
  /// transaction: they are in this block (or were refused), so replay must not see them.
  /// Only right when every older entry is settled; a transaction still waiting in the
  /// mempool (a future nonce) must stay journaled, so use `journalSequences` then.
  public var journalThrough: UInt64?
  /// Individual journal entries removed in the same transaction: those of the block's
  /// transactions and of any the mempool dropped, wherever they sit in the journal.
  public var journalSequences: [UInt64]

  public init(
    header: StoredHeader, transactions: [Bytes], transactionHashes: [Hash32]? = nil, receipts: [StoredReceipt],
    changes: StateDiff, journalThrough: UInt64? = nil, journalSequences: [UInt64] = []
  ) {
    precondition(receipts.count == transactions.count, "one receipt per transaction")
    self.header = header
    self.transactions = transactions
    self.transactionHashes = transactionHashes ?? transactions.map { Keccak256.hash($0) }
    precondition(self.transactionHashes.count == transactions.count, "one hash per transaction")
    self.receipts = receipts
    self.changes = changes
    self.journalThrough = journalThrough
    self.journalSequences = journalSequences
  }
}
