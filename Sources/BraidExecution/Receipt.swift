/// Receipts in their post-Byzantium form and the receipts root.
import BraidEVM
import BraidPrimitives
import BraidTrie

/// A transaction's receipt (EIP-658: a status, not a state root).
public struct Receipt: Sendable {
  public var type: UInt8
  public var success: Bool
  /// This transaction's own gas; not part of the encoding.
  public var gasUsed: UInt64
  public var cumulativeGasUsed: UInt64
  public var logs: [Log]
  public var contractAddress: Address?
  /// The bloom stays in the box the transaction's execution made (nil: no logs): a block's
  /// receipts are built serially, and copying 256 bytes into each was most of that work.
  private var bloomBox: BloomBox?

  public var logsBloom: Bloom {
    get { bloomBox?.bloom ?? .empty }
    set { bloomBox = BloomBox(newValue) }
  }

  public init(
    type: UInt8, success: Bool, gasUsed: UInt64, cumulativeGasUsed: UInt64, logsBloom: Bloom, logs: [Log],
    contractAddress: Address?
  ) {
    self.init(
      type: type, success: success, gasUsed: gasUsed, cumulativeGasUsed: cumulativeGasUsed,
      bloom: BloomBox(logsBloom), logs: logs, contractAddress: contractAddress)
  }

  init(
    type: UInt8, success: Bool, gasUsed: UInt64, cumulativeGasUsed: UInt64, bloom: BloomBox?, logs: [Log],
    contractAddress: Address?
  ) {
    self.type = type
    self.success = success
    self.gasUsed = gasUsed
    self.cumulativeGasUsed = cumulativeGasUsed
    bloomBox = bloom
    self.logs = logs
    self.contractAddress = contractAddress
  }

  /// The EIP-2718 encoding that the receipts trie holds: rlp([status, cumulativeGasUsed,
  /// logsBloom, logs]), prefixed with the type byte for typed transactions.
  public var encoded: Bytes {
    var w = RLPWriter()
    if type != 0 { w.bytes.append(type) }
    w.appendList { (w: inout RLPWriter) in
      w.append(uint: success ? 1 : 0)
      w.append(uint: cumulativeGasUsed)
      w.append(bytes: logsBloom.bytes)
      w.append(logs: logs)
    }
    return w.bytes
  }

  public static func root(_ receipts: [Receipt]) -> Hash32 {
    MerklePatriciaTrie.orderedRoot(receipts.map(\.encoded))
  }
}

/// What became of one transaction of a block.
public enum TransactionOutcome: Sendable {
  case executed(ExecutedTransaction)
  /// Invalid in its position (nonce, balance, block gas, ...): excluded from the block.
  case excluded(TransactionError)
}

/// The receipt data of an executed transaction, before cumulative gas is known.
public struct ExecutedTransaction: Sendable {
  public var type: UInt8
  public var success: Bool
  public var gasUsed: UInt64
  public var logs: [Log]
  public var createdAddress: Address?
  /// The logs bloom: every log's address and topics. Computed where the transaction
  /// executes, on a Block-STM worker, rather than in block order at the end: there it was
  /// serial work, a pass over every outcome, its logs and their topics, long since evicted
  /// from the cache (keccak256 of the sender and recipient topics of an ERC-20 block alone
  /// was worth a tenth of the block). Boxed, and nil when there are no logs: 256 bytes
  /// inline would be copied with every outcome.
  public var bloom: BloomBox?

  public init(type: UInt8, success: Bool, gasUsed: UInt64, logs: [Log], createdAddress: Address?) {
    self.type = type
    self.success = success
    self.gasUsed = gasUsed
    self.logs = logs
    self.createdAddress = createdAddress
    guard !logs.isEmpty else {
      bloom = nil
      return
    }
    let memo = BloomMemo.current
    var bloom = Bloom()
    for log in logs {
      bloom.add(hash: memo.hash(log.address))
      if let first = log.topics.first { bloom.add(hash: memo.hash(first)) }
      for topic in log.topics.dropFirst() { bloom.add(topic: topic) }
    }
    self.bloom = BloomBox(bloom)
  }
}

/// A bloom filter on the heap (see `ExecutedTransaction.bloom`).
public final class BloomBox: Sendable {
  public let bloom: Bloom
  public init(_ bloom: Bloom) { self.bloom = bloom }
}

/// Builds receipts in block order: cumulative gas, skipping excluded transactions.
func makeReceipts(_ outcomes: [TransactionOutcome]) -> [Receipt] {
  var receipts: [Receipt] = []
  receipts.reserveCapacity(outcomes.count)
  var cumulative: UInt64 = 0
  for case .executed(let t) in outcomes {
    cumulative += t.gasUsed
    receipts.append(
      Receipt(
        type: t.type, success: t.success, gasUsed: t.gasUsed, cumulativeGasUsed: cumulative,
        bloom: t.bloom, logs: t.logs, contractAddress: t.createdAddress))
  }
  return receipts
}
