/// Running one state-test case the way go-ethereum's runner does: apply the transaction (or
/// nothing, when it is invalid), credit 0 wei to the coinbase, then compare the state root
/// and the logs hash with the fixture.
import BraidEVM
import BraidExecution
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
      if c.expectException == nil, let raw = c.txBytes, let mismatch = Self.crossCheck(raw, against: tx) {
        return .failed("txbytes: \(mismatch)")
      }
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

  /// Decodes the fixture's signed bytes and compares them with the transaction built from
  /// the JSON fields: the decoder and sender recovery get the whole suite as test vectors.
  static func crossCheck(_ raw: Bytes, against tx: Transaction) -> String? {
    let decoded: Transaction
    do {
      decoded = try SignedTransaction.decode(raw).transaction
    } catch {
      return "does not decode: \(error)"
    }
    if decoded.sender != tx.sender { return "recovered sender \(decoded.sender), expected \(tx.sender)" }
    if decoded.nonce != tx.nonce || decoded.gasLimit != tx.gasLimit || decoded.to != tx.to || decoded.value != tx.value
      || decoded.data != tx.data || decoded.maxFeePerGas != tx.maxFeePerGas
      || decoded.maxPriorityFeePerGas != tx.maxPriorityFeePerGas || decoded.accessList != tx.accessList
      || decoded.blobVersionedHashes != tx.blobVersionedHashes || decoded.maxFeePerBlobGas != tx.maxFeePerBlobGas
    {
      return "decoded fields differ from the fixture's"
    }
    return nil
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
