/// What the store keeps per block besides its header (`BraidEVM.BlockHeader`): each
/// receipt with what a JSON-RPC receipt needs besides the consensus encoding, and the
/// `CommittedBlock` handed to `commitBlock`.
import BraidEVM
import BraidPrimitives

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
  public var header: BlockHeader
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
    header: BlockHeader, transactions: [Bytes], transactionHashes: [Hash32]? = nil, receipts: [StoredReceipt],
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
