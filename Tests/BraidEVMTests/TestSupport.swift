import BraidEVM
import BraidPrimitives

/// A small world and helpers for EVM tests: one funded sender, a coinbase, and contracts
/// given as raw bytecode.
struct TestWorld {
  static let sender = try! Address(hex: "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b")
  static let coinbase = try! Address(hex: "0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba")
  static let contract = try! Address(hex: "0x1000000000000000000000000000000000000000")
  static let other = try! Address(hex: "0x2000000000000000000000000000000000000000")

  var state = InMemoryState()
  var block = BlockEnv(number: 1, timestamp: 1000, coinbase: coinbase, gasLimit: 30_000_000, baseFee: UInt256(7))

  init(code: Bytes = [], balance: UInt256 = .zero) {
    state.accounts[TestWorld.sender] = AccountState(balance: UInt256(1_000_000_000_000_000_000))
    if !code.isEmpty || !balance.isZero {
      state.accounts[TestWorld.contract] = AccountState(balance: balance, code: Code(code))
    }
  }

  func tx(to: Address? = TestWorld.contract, value: UInt256 = .zero, data: Bytes = [], gas: UInt64 = 1_000_000, nonce: UInt64? = nil) -> Transaction {
    Transaction(
      type: 2, chainId: 1, nonce: nonce ?? state.nonce(of: TestWorld.sender), gasLimit: gas, maxFeePerGas: UInt256(10),
      maxPriorityFeePerGas: UInt256(2), to: to, value: value, data: data, sender: TestWorld.sender)
  }

  /// Executes and applies; returns the result.
  mutating func run(_ t: Transaction) throws -> ExecutionResult {
    let r = try EVM.execute(t, block: block, state: state)
    state.apply(r.diff)
    return r
  }
}

/// Assembles PUSH immediates without counting bytes by hand.
func push(_ v: UInt64) -> Bytes {
  let be = UInt256(v).minimalBigEndianBytes
  if be.isEmpty { return [0x5f] }
  return [0x5f + UInt8(be.count)] + be
}

func push(_ a: Address) -> Bytes { [0x73] + a.bytes }
