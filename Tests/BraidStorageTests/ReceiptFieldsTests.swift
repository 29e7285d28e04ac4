import BraidEVM
import BraidExecution
import BraidPrimitives
import BraidStorage
import Testing

@Suite struct ReceiptFieldsTests {
  /// MSTORE(0, 42); LOG1(0, 32, CALLER); STOP.
  static let logger = Code([0x60, 0x2a, 0x5f, 0x52, 0x33, 0x60, 0x20, 0x5f, 0xa1, 0x00])

  /// Real receipts from an executed block: a legacy call that logs, a type-2 call that
  /// logs, a plain payment without logs.
  static func executedReceipts() -> [Receipt] {
    let sender = address(0x51)
    let contract = address(0x10)
    var state = InMemoryState()
    state.accounts[sender] = AccountState(balance: UInt256(1) << 80)
    state.accounts[contract] = AccountState(nonce: 1, code: logger)
    let env = BlockEnv(number: 1, timestamp: 1, coinbase: address(0xcb), gasLimit: 30_000_000, baseFee: UInt256(7))
    let txs = [
      Transaction.legacy(nonce: 0, gasPrice: UInt256(10), gasLimit: 100_000, to: contract, value: .zero, data: [], sender: sender),
      Transaction(
        type: 2, chainId: 1, nonce: 1, gasLimit: 100_000, maxFeePerGas: UInt256(20), maxPriorityFeePerGas: UInt256(1),
        to: contract, value: .zero, data: [], sender: sender),
      Transaction.legacy(nonce: 2, gasPrice: UInt256(10), gasLimit: 21_000, to: address(0x99), value: .one, data: [], sender: sender),
    ]
    return BlockExecutor.execute(txs, block: env, state: &state, threads: 0).receipts
  }

  @Test func encodedReceiptsDecodeToTheirFields() throws {
    let receipts = Self.executedReceipts()
    #expect(receipts.count == 3)
    for r in receipts {
      let stored = StoredReceipt(encoded: r.encoded, sender: address(0x51), gasUsed: r.gasUsed, effectiveGasPrice: .one, contractAddress: nil)
      let f = try stored.fields()
      #expect(f.type == r.type)
      #expect(f.success == r.success)
      #expect(f.cumulativeGasUsed == r.cumulativeGasUsed)
      #expect(f.logsBloom == r.logsBloom)
      #expect(f.logs == r.logs)
    }
    #expect(try receipts[1].encoded.first == 2 && ReceiptFields(decoding: receipts[1].encoded).logs.count == 1)
    #expect(receipts[0].logs.first?.topics == [address(0x51).word].map { Hash32(word: $0) })
  }

  @Test func trailingBytesAreRejected() {
    let encoded = Self.executedReceipts()[1].encoded + [0x00]
    #expect(throws: RLPError.self) { try ReceiptFields(decoding: encoded) }
  }
}
