/// The methods that submit transactions. They answer through the backend's completion, so
/// a node that journals before acknowledging (or waits for a block) never blocks an
/// event loop.
import BraidEVM
import BraidPrimitives

extension EthAPI {
  /// `prepared`: the same raw transaction, already prepared with the rest of its batch.
  func sendRawTransaction(_ p: Params, prepared: PreparedSubmission? = nil) throws(RPCError) -> CallOutcome {
    try p.expect(required: 1, max: 1)
    let api = self
    if let prepared {
      return .pending { reply in
        api.backend.submit(prepared: prepared) { result in
          api.noteAccepted(result) { $0 }
          reply(result.map { .hash($0) })
        }
      }
    }
    let raw = try p.data(0)
    return .pending { reply in
      api.backend.submit(rawTransaction: raw) { result in
        api.noteAccepted(result) { $0 }
        reply(result.map { .hash($0) })
      }
    }
  }

  /// EIP-7966. The optional timeout is in milliseconds; an invalid or too long one falls
  /// back to the default, as the EIP says.
  func sendRawTransactionSync(_ p: Params) throws(RPCError) -> CallOutcome {
    try p.expect(required: 1, max: 2)
    let raw = try p.data(0)
    var timeout = configuration.syncTimeout
    if let t = p[1] {
      let ms: UInt64? = t.uint64Value ?? (try? HexParam.uint64(t))
      if let ms, ms > 0, Duration.milliseconds(ms) <= configuration.maxSyncTimeout { timeout = .milliseconds(ms) }
    }
    let api = self
    return .pending { reply in
      api.backend.submitAndWait(rawTransaction: raw, timeout: timeout) { result in
        api.noteAccepted(result) { $0.transactionHash }
        reply(result.map(RPCObjects.receipt))
      }
    }
  }

  /// Fills what the caller left out the way geth does (pending nonce, estimated gas,
  /// EIP-1559 fees of twice the base fee plus the tip), has the backend sign with a dev
  /// key, and submits.
  func sendTransaction(_ p: Params) throws(RPCError) -> CallOutcome {
    try p.expect(required: 1, max: 1)
    var request = try p.callRequest(0)
    let from = request.from ?? .zero
    guard backend.devAccounts().contains(from) else { throw .unknownAccount }
    let head = try self.head()
    let nonce = request.nonce ?? backend.pendingNonce(of: from)
    request.nonce = nonce
    if request.gas == nil {
      switch try callExecution(at: head).estimateGas(request) {
      case .success(let g): request.gas = g
      case .failure(let e): throw e
      }
    }
    let type: UInt8 = request.type ?? (request.gasPrice != nil ? 0 : 2)
    let tip = request.maxPriorityFeePerGas ?? request.gasPrice ?? backend.suggestedTipCap()
    let maxFee = request.maxFeePerGas ?? request.gasPrice ?? (head.header.baseFeePerGas &* UInt256(2) &+ tip)
    let tx = Transaction(
      type: type, chainId: backend.chainId, nonce: nonce, gasLimit: request.gas!, maxFeePerGas: maxFee,
      maxPriorityFeePerGas: type == 2 ? tip : maxFee, to: request.to, value: request.value ?? .zero,
      data: request.data ?? [], accessList: request.accessList ?? [], sender: from)
    let raw = try backend.sign(tx)
    let api = self
    return .pending { reply in
      api.backend.submit(rawTransaction: raw) { result in
        api.noteAccepted(result) { $0 }
        reply(result.map { .hash($0) })
      }
    }
  }
}
