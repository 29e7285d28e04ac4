/// eth_call and eth_estimateGas: a transaction executed against a block's state and
/// thrown away. The rules follow geth's: the sender's nonce is taken as it is, a call
/// without fee fields pays nothing and ignores the base fee, gas defaults to the RPC gas
/// cap, and estimation is a binary search over the gas limit between the intrinsic cost
/// and the cap.
import BraidEVM
import BraidPrimitives

struct CallExecution<S: StateReader> {
  let state: S
  let block: BlockEnv
  /// geth's `--rpc.gascap`.
  let gasCap: UInt64
  var overrides: StateOverrides = [:]

  enum Outcome {
    case success(ExecutionResult)
    case failure(RPCError)
  }

  func call(_ request: CallRequest) -> Outcome {
    run(request, gas: min(request.gas ?? gasCap, gasCap))
  }

  /// The smallest gas limit at which the call succeeds.
  func estimateGas(_ request: CallRequest) -> Result<UInt64, RPCError> {
    var hi = min(request.gas ?? max(block.gasLimit, 21_000), gasCap)
    let first = run(request, gas: hi)
    switch first {
    case .failure(let e):
      return .failure(e)
    case .success(let r) where !r.success:
      if r.gasUsed < hi { return .failure(.reverted(r.output)) }
      return .failure(.server("gas required exceeds allowance (\(hi))"))
    case .success(let r):
      // What the call used is a lower bound (refunds aside); most calls also succeed
      // just above it (63/64 of the gas is all a frame may forward, and 2300 covers the
      // stipend a value transfer adds), which saves most of the search.
      var lo = max(r.gasUsed, 21_000) - 1
      let optimistic = min(hi, (r.gasUsed + 2300) * 64 / 63)
      if optimistic < hi, succeeds(request, gas: optimistic) { hi = optimistic }
      while lo + 1 < hi {
        let mid = lo + (hi - lo) / 2
        if succeeds(request, gas: mid) { hi = mid } else { lo = mid }
      }
      return .success(hi)
    }
  }

  private func succeeds(_ request: CallRequest, gas: UInt64) -> Bool {
    if case .success(let r) = run(request, gas: gas) { return r.success }
    return false
  }

  /// `log`: record what the run reads (eth_createAccessList).
  func run(_ request: CallRequest, gas: UInt64, recordingInto log: AccessLog? = nil) -> Outcome {
    let sender = request.from ?? .zero
    let simulated = SimulationState(base: state, sender: sender, overrides: overrides)
    var env = block
    // A simulated call may ask for more gas than a block holds (up to the cap).
    env.gasLimit = max(env.gasLimit, gas)
    let priced = request.gasPrice != nil || request.maxFeePerGas != nil || request.maxPriorityFeePerGas != nil
    let maxFee: UInt256
    let tip: UInt256
    if priced {
      maxFee = request.gasPrice ?? request.maxFeePerGas ?? (env.baseFee &+ (request.maxPriorityFeePerGas ?? .zero))
      tip = request.gasPrice ?? request.maxPriorityFeePerGas ?? .zero
    } else {
      // Unpriced calls run with no base fee, as geth's NoBaseFee does.
      env.baseFee = .zero
      maxFee = .zero
      tip = .zero
    }
    let legacyType: UInt8 = (request.accessList ?? []).isEmpty ? 0 : 1
    let tx = Transaction(
      type: request.type ?? (request.gasPrice != nil ? legacyType : 2), chainId: block.chainId,
      nonce: simulated.nonce(of: sender),
      gasLimit: gas, maxFeePerGas: maxFee, maxPriorityFeePerGas: min(tip, maxFee), to: request.to,
      value: request.value ?? .zero, data: request.data ?? [], accessList: request.accessList ?? [], sender: sender)
    do {
      if let log {
        return .success(try EVM.execute(tx, block: env, state: RecordingState(base: simulated, log: log)))
      }
      return .success(try EVM.execute(tx, block: env, state: simulated))
    } catch {
      return .failure(.rejected(error))
    }
  }

  /// The error eth_call reports for a result that did not succeed. A revert returns
  /// unused gas; an exceptional halt (out of gas, invalid instruction, stack error)
  /// consumes all of it.
  static func failure(_ r: ExecutionResult, gasLimit: UInt64) -> RPCError {
    if r.gasUsed < gasLimit || !r.output.isEmpty { return .reverted(r.output) }
    return .server("execution halted: out of gas or invalid instruction")
  }
}
