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
  /// The bloom bits of every topic after the first of every log. Computed where the
  /// transaction executes, on a Block-STM worker, because these topics (an ERC-20 transfer's
  /// sender and recipient) rarely repeat and their keccak256 was, done in block order at the
  /// end, serial work worth a tenth of a parallel ERC-20 block. Addresses and first topics
  /// repeat from log to log, and `makeReceipts` adds them from a memo. Boxed, and nil when
  /// there are no such topics: 256 bytes inline would be copied with every outcome.
  public var topicsBloom: BloomBox?

  public init(type: UInt8, success: Bool, gasUsed: UInt64, logs: [Log], createdAddress: Address?) {
    self.type = type
    self.success = success
    self.gasUsed = gasUsed
    self.logs = logs
    self.createdAddress = createdAddress
    guard logs.contains(where: { $0.topics.count > 1 }) else {
      topicsBloom = nil
      return
    }
    var bloom = Bloom()
    for log in logs {
      for topic in log.topics.dropFirst() { bloom.add(topic: topic) }
    }
    topicsBloom = BloomBox(bloom)
  }
}

/// A bloom filter on the heap (see `ExecutedTransaction.topicsBloom`).
public final class BloomBox: Sendable {
  public let bloom: Bloom
  public init(_ bloom: Bloom) { self.bloom = bloom }
}

/// Builds receipts in block order: cumulative gas and blooms, skipping excluded
/// transactions.
func makeReceipts(_ outcomes: [TransactionOutcome]) -> [Receipt] {
  var receipts: [Receipt] = []
  receipts.reserveCapacity(outcomes.count)
  var cumulative: UInt64 = 0
  // The emitting contract and the event signature (topic 0) repeat from log to log, and
  // their keccak256 was a tenth of an ERC-20 block's execution time; the other topics are
  // in `topicsBloom` already.
  var addressHashes: [Address: Hash32] = [:]
  var signatureHashes: [Hash32: Hash32] = [:]
  for case .executed(let t) in outcomes {
    cumulative += t.gasUsed
    var bloom = t.topicsBloom?.bloom ?? Bloom()
    for log in t.logs {
      bloom.add(hash: memoized(log.address, in: &addressHashes) { Keccak256.hash($0.bytes) })
      if let signature = log.topics.first {
        bloom.add(hash: memoized(signature, in: &signatureHashes) { Keccak256.hash(word: $0.word) })
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
