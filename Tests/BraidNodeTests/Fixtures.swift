import BraidEVM
import BraidPrimitives
import BraidRPC

@testable import BraidNode

/// Deterministic keys and signed transactions for the node's tests.
enum Fixture {
  static func gwei(_ n: UInt64) -> UInt256 { UInt256(n &* 1_000_000_000) }
  static let chainId: UInt64 = 1337

  static func key(_ i: Int) -> Bytes { UInt256(UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15).bigEndianBytes }
  static func address(_ i: Int) -> Address { TransactionSigner.address(privateKey: key(i))! }
  static let recipient = Address(hi: 0xdead, mid: 0, lo: 1)

  static func transfer(
    from i: Int, nonce: UInt64, to: Address = recipient, value: UInt256 = UInt256(1000),
    maxFee: UInt256 = gwei(3),
    tip: UInt256 = gwei(1), gas: UInt64 = 21_000, data: Bytes = [], chainId: UInt64 = chainId
  ) -> Bytes {
    let tx = Transaction(
      type: 2, chainId: chainId, nonce: nonce, gasLimit: gas, maxFeePerGas: maxFee, maxPriorityFeePerGas: tip,
      to: to,
      value: value, data: data, sender: .zero)
    return try! TransactionSigner.sign(tx, privateKey: key(i))
  }

  static func state(senders: Int, balance: UInt256 = UInt256(10) &* UInt256(1_000_000_000_000_000_000))
    -> InMemoryState
  {
    var accounts: [Address: AccountState] = [:]
    for i in 0..<senders { accounts[address(i)] = AccountState(balance: balance) }
    return InMemoryState(accounts: accounts)
  }

  static func mempool(
    state: InMemoryState = state(senders: 4), baseFee: UInt256 = gwei(1),
    limits: MempoolLimits = MempoolLimits()
  ) -> Mempool {
    Mempool(
      rules: AdmissionRules(chainId: chainId, blockGasLimit: 30_000_000), limits: limits, head: .state(state),
      baseFee: baseFee)
  }
}

extension Result {
  var failureMessage: String? {
    if case .failure(let e) = self { return "\(e)" }
    return nil
  }
}
