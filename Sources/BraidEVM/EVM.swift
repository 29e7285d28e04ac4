/// Transaction processing in named phases: validate → pre-execute (buy gas, bump nonce,
/// warm the access list) → execute (the top frame) → post-execute (refund, pay the
/// coinbase, collect the diff).
import BraidPrimitives

public enum EVM {
  /// Executes one transaction against `state` under Cancun rules. Throws when the
  /// transaction is invalid (it then changes nothing); a transaction that runs and reverts
  /// or runs out of gas is valid and returns `success == false`.
  public static func execute<S: StateReader>(
    _ tx: Transaction, block: BlockEnv, state: S
  ) throws(TransactionError) -> ExecutionResult {
    try execute(tx, block: block, state: state, fieldWrites: false)
  }

  /// `fieldWrites`: report the changes as `ExecutionResult.writes`, field by field, and leave
  /// `diff` empty (what a Block-STM executor wants), instead of as `diff`.
  public static func execute<S: StateReader>(
    _ tx: Transaction, block: BlockEnv, state: S, fieldWrites: Bool
  ) throws(TransactionError) -> ExecutionResult {
    let host = Host(state: state, block: block, origin: tx.sender, blobHashes: tx.blobVersionedHashes)
    let si = host.index(tx.sender)
    let checked = try validate(tx, block: block, host: host, sender: si)
    host.gasPrice = checked.gasPrice

    // Pre-execute.
    host.setBalance(si, host.balance(si) &- checked.upfrontCost)
    let nonce = host.nonce(si)
    host.setNonce(si, nonce + 1)
    _ = host.warmAccount(tx.sender)
    _ = host.warmAccount(block.coinbase)  // EIP-3651
    for entry in tx.accessList {
      _ = host.warmAccount(entry.address)
      for key in entry.storageKeys { host.warmSlot(entry.address, key) }
    }

    // Execute.
    let gas = Int(tx.gasLimit) - checked.intrinsicGas
    let r: FrameResult
    var created: Address? = nil
    if let to = tx.to {
      _ = host.warmAccount(to)
      let msg = Message(caller: tx.sender, address: to, value: tx.value, input: tx.data, gas: gas, depth: 0, isStatic: false)
      r = host.call(.call, msg, codeAddress: to)
    } else {
      let address = Host<S>.createAddress(tx.sender, nonce: nonce)
      r = host.runCreate(caller: tx.sender, address: address, value: tx.value, initcode: tx.data, gas: gas, depth: 0)
      if r.status == .success { created = address }
    }

    // Post-execute: EIP-3529 caps the refund at a fifth of the gas used.
    var gasUsed = Int(tx.gasLimit) - r.gasLeft
    gasUsed -= min(host.refund, gasUsed / Gas.maxRefundQuotient)
    let returned = UInt256(UInt64(Int(tx.gasLimit) - gasUsed)) &* checked.gasPrice
    host.setBalance(si, host.balance(si) &+ returned)
    let tip = checked.gasPrice &- block.baseFee
    host.addBalance(host.index(block.coinbase), UInt256(UInt64(gasUsed)) &* tip)

    return ExecutionResult(
      success: r.status == .success, gasUsed: UInt64(gasUsed), effectiveGasPrice: checked.gasPrice,
      logs: host.logs, output: r.output, createdAddress: created,
      diff: fieldWrites ? StateDiff() : host.buildDiff(), writes: fieldWrites ? host.buildWrites() : [])
  }

  /// Whether `address` is a precompiled contract under Cancun (0x01-0x0a).
  public static func isPrecompile(_ address: Address) -> Bool { Precompiles.id(address) != nil }

  /// The address a create transaction from `sender` with nonce `nonce` deploys to.
  public static func createAddress(sender: Address, nonce: UInt64) -> Address {
    Host<InMemoryState>.createAddress(sender, nonce: nonce)
  }

  struct Checked {
    var gasPrice: UInt256
    var intrinsicGas: Int
    /// gasLimit × gasPrice plus the blob fee, debited before execution.
    var upfrontCost: UInt256
  }

  /// The validity checks of a transaction against the block and the sender's account.
  static func validate<S: StateReader>(
    _ tx: Transaction, block: BlockEnv, host: Host<S>, sender: Int
  ) throws(TransactionError) -> Checked {
    guard tx.type <= 3 else { throw .typeNotSupported(tx.type) }
    if let c = tx.chainId, c != block.chainId { throw .wrongChainId }
    let accountNonce = host.nonce(sender)
    if tx.nonce < accountNonce { throw .nonceTooLow(expected: accountNonce, got: tx.nonce) }
    if tx.nonce > accountNonce { throw .nonceTooHigh(expected: accountNonce, got: tx.nonce) }
    if accountNonce == .max { throw .nonceMax }
    // EIP-3607: a sender with deployed code cannot originate transactions.
    if !host.code(sender).isEmpty { throw .senderNotEOA }
    if tx.gasLimit > block.gasLimit || tx.gasLimit > UInt64(Int64.max) { throw .gasLimitExceedsBlock }
    if tx.maxPriorityFeePerGas > tx.maxFeePerGas { throw .tipAboveFeeCap }
    if tx.maxFeePerGas < block.baseFee { throw .feeCapBelowBaseFee }

    var blobFee = UInt256.zero
    var maxBlobFee = UInt256.zero
    if tx.type == 3 {
      if tx.to == nil { throw .blobCreate }
      if tx.blobVersionedHashes.isEmpty { throw .noBlobs }
      if tx.blobVersionedHashes.count > Gas.maxBlobsPerBlock { throw .tooManyBlobs }
      for h in tx.blobVersionedHashes where h.word.w3 >> 56 != 0x01 { throw .blobHashVersionInvalid }
      let blobBaseFee = block.blobBaseFee
      if tx.maxFeePerBlobGas < blobBaseFee { throw .blobFeeCapTooLow }
      let blobGas = UInt256(UInt64(tx.blobVersionedHashes.count) * Gas.perBlob)
      blobFee = blobGas &* blobBaseFee
      maxBlobFee = blobGas.multipliedReportingOverflow(by: tx.maxFeePerBlobGas).partialValue
    } else if !tx.blobVersionedHashes.isEmpty {
      throw .typeNotSupported(tx.type)
    }

    // The balance must cover the worst case: every unit of gas at the fee cap, plus value.
    let (maxGasCost, o1) = UInt256(tx.gasLimit).multipliedReportingOverflow(by: tx.maxFeePerGas)
    let (withValue, o2) = maxGasCost.addingReportingOverflow(tx.value)
    let (needed, o3) = withValue.addingReportingOverflow(maxBlobFee)
    if o1 || o2 || o3 || host.balance(sender) < needed { throw .insufficientFunds }

    let intrinsic = intrinsicGas(tx)
    if UInt64(intrinsic) > tx.gasLimit { throw .intrinsicGasTooLow(needed: UInt64(intrinsic), limit: tx.gasLimit) }
    if tx.to == nil && tx.data.count > Gas.maxInitcodeSize { throw .initcodeTooLarge }

    let tipCap = tx.maxFeePerGas &- block.baseFee
    let gasPrice = block.baseFee &+ min(tx.maxPriorityFeePerGas, tipCap)
    return Checked(gasPrice: gasPrice, intrinsicGas: intrinsic, upfrontCost: UInt256(tx.gasLimit) &* gasPrice &+ blobFee)
  }

  /// Gas charged before the first instruction: base, calldata, creation, initcode words
  /// (EIP-3860) and the access list (EIP-2930).
  public static func intrinsicGas(_ tx: Transaction) -> Int {
    var g = Gas.txBase
    var zeros = 0
    for b in tx.data where b == 0 { zeros += 1 }
    g += zeros * Gas.txDataZero + (tx.data.count - zeros) * Gas.txDataNonZero
    if tx.to == nil {
      g += Gas.txCreate + Gas.initcodeWord * Gas.words(tx.data.count)
    }
    for e in tx.accessList {
      g += Gas.accessListAddress + Gas.accessListStorageKey * e.storageKeys.count
    }
    return g
  }
}
