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
  // The emitting contract and the event signature (topic 0) repeat from log to log, and
  // their keccak256 was a tenth of an ERC-20 block's execution time; other topics rarely do.
  var addressHashes: [Address: Hash32] = [:]
  var signatureHashes: [Hash32: Hash32] = [:]
  for case .executed(let t) in outcomes {
    cumulative += t.gasUsed
    var bloom = Bloom()
    for log in t.logs {
      bloom.add(hash: memoized(log.address, in: &addressHashes) { Keccak256.hash($0.bytes) })
      for (i, topic) in log.topics.enumerated() {
        if i == 0 {
          bloom.add(hash: memoized(topic, in: &signatureHashes) { Keccak256.hash(word: $0.word) })
        } else {
          bloom.add(topic: topic)
        }
      }
    }
    receipts.append(
      Receipt(
        type: t.type, success: t.success, gasUsed: t.gasUsed, cumulativeGasUsed: cumulative, logsBloom: bloom,
        logs: t.logs, contractAddress: t.createdAddress))
  }
  return receipts
}

@inline(__always)
private func memoized<K: Hashable>(_ key: K, in cache: inout [K: Hash32], _ hash: (K) -> Hash32) -> Hash32 {
  if let h = cache[key] { return h }
  let h = hash(key)
  cache[key] = h
  return h
}
