/// Transaction processing entry point: validate, pre-execute, execute, post-execute.
import BraidPrimitives

public enum EVM {
  /// Executes one transaction against `state` under Cancun rules. Throws when the
  /// transaction is invalid (it then changes nothing); a transaction that runs and reverts
  /// or runs out of gas is valid and returns `success == false`.
  public static func execute<S: StateReader>(
    _ tx: Transaction, block: BlockEnv, state: S
  ) throws(TransactionError) -> ExecutionResult {
    fatalError("not yet implemented")
  }
}
