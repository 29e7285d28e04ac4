/// The sequential block executor: the reference the parallel executor must match exactly,
/// and the baseline it is timed against.
import BraidEVM
import BraidPrimitives

enum SequentialExecutor {
  /// Executes the transactions in order on `state`, excluding any that is invalid in its
  /// position. The EVM's diff already pays the coinbase its priority fee.
  /// `gasUsedBefore`: gas the block's earlier transactions used, when these are only part
  /// of it.
  static func execute(
    _ transactions: ArraySlice<Transaction>, block: BlockEnv, on state: inout InMemoryState,
    changes: inout BlockChanges, gasUsedBefore: UInt64 = 0, guard writeGuard: StateWriteGuard? = nil
  ) -> [TransactionOutcome] {
    var outcomes: [TransactionOutcome] = []
    outcomes.reserveCapacity(transactions.count)
    var blockGasUsed = gasUsedBefore
    for tx in transactions {
      guard tx.gasLimit <= block.gasLimit - blockGasUsed else {
        outcomes.append(.excluded(.gasLimitExceedsBlock))
        continue
      }
      do throws(TransactionError) {
        let r = try EVM.execute(tx, block: block, state: state)
        if let writeGuard {
          writeGuard.write { undo in
            undo.willApply(r.diff, to: state)
            state.apply(r.diff)
          }
        } else {
          state.apply(r.diff)
        }
        changes.record(r.diff)
        blockGasUsed += r.gasUsed
        outcomes.append(
          .executed(
            ExecutedTransaction(
              type: tx.type, success: r.success, gasUsed: r.gasUsed, logs: r.logs, createdAddress: r.createdAddress)))
      } catch {
        outcomes.append(.excluded(error))
      }
    }
    return outcomes
  }
}
