/// What one transaction changed, and the receipt data it produced.
import BraidPrimitives

/// The final values of everything a transaction wrote, per account. Fields left nil were
/// not changed.
public struct AccountChange: Sendable {
  public var balance: UInt256?
  /// A credit to a balance the transaction never read: add it to whatever the balance is.
  /// Exclusive with `balance`.
  public var balanceDelta: UInt256?
  public var nonce: UInt64?
  /// New code, set when a contract was created.
  public var code: Code?
  /// Slots written, with their final values (zero means cleared).
  public var storage: [UInt256: UInt256]
  /// The account was removed: self-destructed in the transaction that created it
  /// (EIP-6780), or touched while empty (EIP-161). Its storage is gone too: `storage`
  /// then lists the slots the transaction had written, all as zero.
  public var deleted: Bool
  /// Storage was wiped before `storage` applies (a contract created at this address).
  public var storageCleared: Bool

  public init() {
    balance = nil
    balanceDelta = nil
    nonce = nil
    code = nil
    storage = [:]
    deleted = false
    storageCleared = false
  }
}

public struct StateDiff: Sendable {
  public var accounts: [Address: AccountChange]
  public init(accounts: [Address: AccountChange] = [:]) { self.accounts = accounts }
}

public struct Log: Sendable, Equatable {
  public var address: Address
  public var topics: [Hash32]
  public var data: Bytes
  public init(address: Address, topics: [Hash32], data: Bytes) {
    self.address = address
    self.topics = topics
    self.data = data
  }
}

public struct ExecutionResult: Sendable {
  /// True when the top frame succeeded (receipt status 1).
  public var success: Bool
  /// Gas charged to the sender, after the refund.
  public var gasUsed: UInt64
  /// The price per gas the sender paid: min(maxFeePerGas, baseFee + maxPriorityFeePerGas).
  public var effectiveGasPrice: UInt256
  public var logs: [Log]
  /// RETURN or REVERT data of the top frame.
  public var output: Bytes
  /// The address of the created contract for a successful create transaction.
  public var createdAddress: Address?
  public var diff: StateDiff
  /// The same changes field by field, when asked for (`EVM.execute(_:block:state:fieldWrites:)`).
  public var writes: [StateWrite] = []
}

/// Why a transaction is invalid: it cannot be included in a block and changes nothing.
public enum TransactionError: Error, Equatable, Sendable, CustomStringConvertible {
  case typeNotSupported(UInt8)
  case wrongChainId
  case nonceTooLow(expected: UInt64, got: UInt64)
  case nonceTooHigh(expected: UInt64, got: UInt64)
  case nonceMax
  case gasLimitExceedsBlock
  case intrinsicGasTooLow(needed: UInt64, limit: UInt64)
  case feeCapBelowBaseFee
  case tipAboveFeeCap
  case insufficientFunds
  case senderNotEOA
  case initcodeTooLarge
  case blobFeeCapTooLow
  case blobHashVersionInvalid
  case noBlobs
  case tooManyBlobs
  case blobCreate

  public var description: String {
    switch self {
    case .typeNotSupported(let t): return "transaction type \(t) not supported"
    case .wrongChainId: return "invalid chain id for signer"
    case .nonceTooLow(let e, let g): return "nonce too low: next nonce \(e), tx nonce \(g)"
    case .nonceTooHigh(let e, let g): return "nonce too high: next nonce \(e), tx nonce \(g)"
    case .nonceMax: return "nonce has max value"
    case .gasLimitExceedsBlock: return "exceeds block gas limit"
    case .intrinsicGasTooLow(let n, let l): return "intrinsic gas too low: gas \(l), minimum needed \(n)"
    case .feeCapBelowBaseFee: return "max fee per gas less than block base fee"
    case .tipAboveFeeCap: return "max priority fee per gas higher than max fee per gas"
    case .insufficientFunds: return "insufficient funds for gas * price + value"
    case .senderNotEOA: return "sender not an eoa"
    case .initcodeTooLarge: return "max initcode size exceeded"
    case .blobFeeCapTooLow: return "max fee per blob gas less than block blob gas fee"
    case .blobHashVersionInvalid: return "blob versioned hash has wrong version"
    case .noBlobs: return "blob transaction without blobs"
    case .tooManyBlobs: return "too many blobs"
    case .blobCreate: return "blob transaction cannot create a contract"
    }
  }
}
