/// The sequential block executor: the reference the parallel (Block-STM) executor must match
/// exactly, and the baseline it is timed against. Transactions run in order against one
/// `InMemoryState`; each produces a receipt.
import BraidEVM
import BraidPrimitives
import BraidTrie

/// A transaction's receipt in its post-Byzantium form (EIP-658: a status, not a state root).
struct Receipt: Sendable {
  var type: UInt8
  var success: Bool
  /// This transaction's own gas; not part of the encoding, kept for verification.
  var gasUsed: UInt64
  var cumulativeGasUsed: UInt64
  var logsBloom: Bloom
  var logs: [Log]

  /// The EIP-2718 encoding that the receipts trie holds: rlp([status, cumulativeGasUsed,
  /// logsBloom, logs]), prefixed with the type byte for typed transactions.
  var encoded: Bytes {
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

  static func root(_ receipts: [Receipt]) -> Hash32 {
    MerklePatriciaTrie.orderedRoot(receipts.map(\.encoded))
  }
}

/// Why a block cannot be executed: one of its transactions is invalid in its position.
enum BlockError: Error, CustomStringConvertible {
  case invalidTransaction(index: Int, TransactionError)
  /// The transaction's gas limit exceeds what is left of the block gas limit.
  case blockGasExhausted(index: Int, gasLimit: UInt64, remaining: UInt64)

  var description: String {
    switch self {
    case .invalidTransaction(let i, let error): return "transaction \(i) is invalid: \(error)"
    case .blockGasExhausted(let i, let limit, let remaining):
      return "transaction \(i): gas limit \(limit) exceeds the block's remaining gas \(remaining)"
    }
  }
}

struct SequentialExecutor {
  let block: BlockEnv

  /// Executes the transactions in order on `state`. The EVM's diff already pays the coinbase
  /// its priority fee, so nothing is credited here.
  func execute(_ transactions: [Transaction], on state: inout InMemoryState) throws(BlockError) -> [Receipt] {
    var receipts: [Receipt] = []
    receipts.reserveCapacity(transactions.count)
    var cumulativeGas: UInt64 = 0
    for (i, tx) in transactions.enumerated() {
      let remaining = block.gasLimit - cumulativeGas
      guard tx.gasLimit <= remaining else {
        throw .blockGasExhausted(index: i, gasLimit: tx.gasLimit, remaining: remaining)
      }
      let result: ExecutionResult
      do {
        result = try EVM.execute(tx, block: block, state: state)
      } catch {
        throw .invalidTransaction(index: i, error)
      }
      state.apply(result.diff)
      cumulativeGas += result.gasUsed
      var bloom = Bloom()
      for log in result.logs { bloom.add(log: log.address, topics: log.topics) }
      receipts.append(
        Receipt(
          type: tx.type, success: result.success, gasUsed: result.gasUsed, cumulativeGasUsed: cumulativeGas,
          logsBloom: bloom, logs: result.logs))
    }
    return receipts
  }
}
