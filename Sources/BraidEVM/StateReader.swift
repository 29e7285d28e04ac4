/// The Cancun EVM: interpreter, gas schedule, precompiles and transaction processing.
///
/// The EVM owns no storage. It reads the world through `StateReader` (each field of an
/// account is a separate read, so a parallel executor can track balance, nonce, code and
/// every storage slot as independent keys) and returns what a transaction changed as a
/// `StateDiff` plus receipt data. Applying the diff is the caller's business.
import BraidPrimitives

/// Read access to the world state a transaction executes against. Absent accounts read as
/// zero balance, zero nonce and empty code; absent slots as zero.
public protocol StateReader {
  func balance(of address: Address) -> UInt256
  func nonce(of address: Address) -> UInt64
  /// The account's code; `Code.empty` when it has none.
  func code(of address: Address) -> Code
  func storage(of address: Address, slot: UInt256) -> UInt256
  /// Whether the account has any non-zero storage slot (EIP-7610 create collision).
  func hasStorage(_ address: Address) -> Bool
  /// BLOCKHASH for one of the 256 most recent blocks; the caller checks the range.
  func blockHash(number: UInt64) -> Hash32
  /// True once a read could not be answered (a parallel executor's dependency on a
  /// transaction still running): the EVM then stops as soon as it can, and the caller
  /// discards the result.
  var isBlocked: Bool { get }
}

extension StateReader {
  public var isBlocked: Bool { false }
}
