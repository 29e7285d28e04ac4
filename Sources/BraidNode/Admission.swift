/// The checks a transaction passes before the pool takes it, and the words a refusal is
/// given in: geth's, because client libraries match on them (ethers maps "nonce too low"
/// to NONCE_EXPIRED, viem parses "insufficient funds").
import BraidEVM
import BraidPrimitives

public struct AdmissionError: Error, Sendable, Equatable, CustomStringConvertible {
  public var message: String

  public init(_ message: String) { self.message = message }

  public var description: String { message }

  public static let alreadyKnown = AdmissionError("already known")
  public static let oversized = AdmissionError("oversized data")
  public static let replacementUnderpriced = AdmissionError("replacement transaction underpriced")
  public static let poolFull = AdmissionError("txpool is full")
  public static let insufficientFunds = AdmissionError("insufficient funds for gas * price + value")
  public static let exceedsBlockGasLimit = AdmissionError("exceeds block gas limit")
  public static let blobTransactions = AdmissionError(
    "transaction type not supported: blob transactions (type 3) are not accepted by this node")
  public static let invalidChainId = AdmissionError("invalid chain id for signer")
  public static let tipAboveFeeCap = AdmissionError("max priority fee per gas higher than max fee per gas")
  public static let senderNotEOA = AdmissionError("sender not an eoa")
  public static let initcodeTooLarge = AdmissionError("max initcode size exceeded")

  public static func nonceTooLow(next: UInt64, got: UInt64) -> AdmissionError {
    AdmissionError("nonce too low: next nonce \(next), tx nonce \(got)")
  }

  public static func intrinsicGasTooLow(needed: UInt64, limit: UInt64) -> AdmissionError {
    AdmissionError("intrinsic gas too low: gas \(limit), minimum needed \(needed)")
  }

  public static func underpriced(feeCap: UInt256, baseFee: UInt256) -> AdmissionError {
    AdmissionError("transaction underpriced: gas fee cap \(feeCap), base fee \(baseFee)")
  }

  public static func decoding(_ error: TransactionDecodingError) -> AdmissionError {
    if case .typeNotSupported(3) = error { return blobTransactions }
    return AdmissionError(error.description)
  }
}

/// What admission checks a transaction against: the chain's fixed parameters and the
/// next block's base fee.
public struct AdmissionRules: Sendable {
  public var chainId: UInt64
  public var blockGasLimit: UInt64
  /// geth's txMaxSize: four 32 KiB slots.
  public var maxTransactionBytes: Int

  public init(chainId: UInt64, blockGasLimit: UInt64, maxTransactionBytes: Int = 128 * 1024) {
    self.chainId = chainId
    self.blockGasLimit = blockGasLimit
    self.maxTransactionBytes = maxTransactionBytes
  }

  /// Decodes, recovering the sender once, here, on the caller's thread. The checks come
  /// after, in `check`, so a refusal can still name the transaction's hash.
  public func decode(_ raw: Bytes) throws(AdmissionError) -> SignedTransaction {
    if raw.count > maxTransactionBytes { throw .oversized }
    // Refused by type before decoding, so a blob transaction gets this answer however
    // its blob fields look.
    if raw.first == 3 { throw .blobTransactions }
    do {
      return try SignedTransaction.decode(raw)
    } catch {
      throw .decoding(error)
    }
  }

  /// `decode` for many transactions at once, their senders recovered together (eight at a
  /// time in SIMD where the CPU can): the same result for each as `decode` gives.
  public func decodeAll(_ raws: [Bytes]) -> [Result<SignedTransaction, AdmissionError>] {
    var out = [Result<SignedTransaction, AdmissionError>?](repeating: nil, count: raws.count)
    var decodable: [Bytes] = []
    var positions: [Int] = []
    for (i, raw) in raws.enumerated() {
      if raw.count > maxTransactionBytes {
        out[i] = .failure(.oversized)
      } else if raw.first == 3 {
        out[i] = .failure(.blobTransactions)
      } else {
        decodable.append(raw)
        positions.append(i)
      }
    }
    for (k, result) in SignedTransaction.decodeAll(decodable).enumerated() {
      out[positions[k]] = result.mapError { .decoding($0) }
    }
    return out.map { $0! }
  }

  /// The checks that need no state.
  func check(_ tx: Transaction, baseFee: UInt256) throws(AdmissionError) {
    guard tx.type <= 2 else {
      if tx.type == 3 { throw .blobTransactions }
      throw AdmissionError("transaction type not supported")
    }
    // A legacy transaction without EIP-155 carries no chain id and is valid on any chain.
    if let c = tx.chainId, c != chainId { throw .invalidChainId }
    if tx.gasLimit > blockGasLimit { throw .exceedsBlockGasLimit }
    let intrinsic = UInt64(EVM.intrinsicGas(tx))
    if intrinsic > tx.gasLimit { throw .intrinsicGasTooLow(needed: intrinsic, limit: tx.gasLimit) }
    if tx.to == nil && tx.data.count > 49_152 { throw .initcodeTooLarge }
    if tx.maxFeePerGas < tx.maxPriorityFeePerGas { throw .tipAboveFeeCap }
    if tx.maxFeePerGas < baseFee { throw .underpriced(feeCap: tx.maxFeePerGas, baseFee: baseFee) }
  }

  /// The most the transaction can cost its sender: gas × fee cap + value; nil on overflow.
  static func maxCost(_ tx: Transaction) -> UInt256? {
    let (gas, o1) = UInt256(tx.gasLimit).multipliedReportingOverflow(by: tx.maxFeePerGas)
    let (total, o2) = gas.addingReportingOverflow(tx.value)
    return o1 || o2 ? nil : total
  }
}
