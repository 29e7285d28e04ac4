/// Running one state-test case the way go-ethereum's runner does: apply the transaction (or
/// nothing, when it is invalid), credit 0 wei to the coinbase, then compare the state root
/// and the logs hash with the fixture.
import BraidEVM
import BraidPrimitives

enum CaseOutcome: Sendable {
  case passed
  case failed(String)
  case skipped(String)
}

extension StateTest {
  func run(_ c: StateTestCase) -> CaseOutcome {
    if let skipReason { return .skipped(skipReason) }
    var state = pre
    var logs: [Log] = []
    var rejection: String?
    do {
      let tx = try transaction.get().build(c)
      let result = try EVM.execute(tx, block: env, state: state)
      state.apply(result.diff)
      logs = result.logs
    } catch let error as TransactionError {
      rejection = error.description
    } catch {
      rejection = "cannot build the transaction: \(error)"
    }

    switch (rejection, c.expectException) {
    case (let reason?, nil):
      return .failed("unexpected exception: \(reason)")
    case (nil, let expected?):
      return .failed("expected exception \(expected), but the transaction was valid")
    default:
      break
    }

    // The runner's 0-wei coinbase reward touches the coinbase, and EIP-161 removes a touched
    // account that is empty: it matters when the coinbase self-destructed or the
    // transaction was invalid and never paid it.
    if let coinbase = state.accounts[env.coinbase], coinbase.isEmpty {
      state.accounts[env.coinbase] = nil
    }

    let root = state.stateRoot()
    if root != c.stateRoot {
      return .failed("state root: expected \(c.stateRoot), got \(root)" + Self.dump(state))
    }
    let logsHash = logs.rlpHash
    if logsHash != c.logsHash {
      return .failed("logs hash: expected \(c.logsHash), got \(logsHash) (\(logs.count) logs)")
    }
    return .passed
  }

  /// With BRAID_STATETEST_DUMP set, a failing case also prints its post-state, for
  /// comparing against another client's.
  static func dump(_ state: InMemoryState) -> String {
    guard getenv("BRAID_STATETEST_DUMP") != nil else { return "" }
    var out = ""
    for (a, acc) in state.accounts.sorted(by: { $0.key < $1.key }) {
      out += "\n  \(a) balance=\(acc.balance) nonce=\(acc.nonce) code=\(acc.code.bytes.count)B"
      for (k, v) in acc.storage.sorted(by: { $0.key < $1.key }) { out += "\n    [\(k)] = \(v)" }
    }
    return out
  }
}

#if canImport(Glibc)
import Glibc
#endif
