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
  public var logsBloom: Bloom
  public var logs: [Log]
  public var contractAddress: Address?

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
}

/// Builds receipts in block order: cumulative gas and blooms, skipping excluded
/// transactions.
func makeReceipts(_ outcomes: [TransactionOutcome]) -> [Receipt] {
  var receipts: [Receipt] = []
  receipts.reserveCapacity(outcomes.count)
  var cumulative: UInt64 = 0
  for case .executed(let t) in outcomes {
    cumulative += t.gasUsed
    var bloom = Bloom()
    for log in t.logs { bloom.add(log: log.address, topics: log.topics) }
    receipts.append(
      Receipt(
        type: t.type, success: t.success, gasUsed: t.gasUsed, cumulativeGasUsed: cumulative, logsBloom: bloom,
        logs: t.logs, contractAddress: t.createdAddress))
  }
  return receipts
}
