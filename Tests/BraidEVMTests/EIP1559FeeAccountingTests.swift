import BraidEVM
import BraidPrimitives
import Testing

/// EIP-1559: the sender pays gasUsed × min(maxFee, baseFee + tip), the base fee is burned
/// and the tip goes to the coinbase.
struct EIP1559FeeAccountingTests {
  @Test func plainTransferPaysIntrinsicGasAtTheEffectivePrice() throws {
    var w = TestWorld()
    let r = try w.run(w.tx(to: TestWorld.other, value: UInt256(1000), gas: 21000))
    #expect(r.success)
    #expect(r.gasUsed == 21000)
    #expect(r.effectiveGasPrice == UInt256(9))
    #expect(w.state.balance(of: TestWorld.other) == UInt256(1000))
    #expect(w.state.balance(of: TestWorld.coinbase) == UInt256(21000 * 2))
    #expect(w.state.balance(of: TestWorld.sender) == UInt256(1_000_000_000_000_000_000 - 21000 * 9 - 1000))
    #expect(w.state.nonce(of: TestWorld.sender) == 1)
  }

  @Test func invalidTransactionsChangeNothing() throws {
    var w = TestWorld()
    #expect(throws: TransactionError.intrinsicGasTooLow(needed: 21000, limit: 20999)) {
      try w.run(w.tx(to: TestWorld.other, gas: 20999))
    }
    #expect(throws: TransactionError.nonceTooHigh(expected: 0, got: 5)) {
      try w.run(w.tx(to: TestWorld.other, gas: 21000, nonce: 5))
    }
    #expect(throws: TransactionError.insufficientFunds) {
      try w.run(w.tx(to: TestWorld.other, value: UInt256.max, gas: 21000))
    }
    var t = w.tx(to: TestWorld.other, gas: 21000)
    t.maxFeePerGas = UInt256(6)
    t.maxPriorityFeePerGas = UInt256(1)
    #expect(throws: TransactionError.feeCapBelowBaseFee) { try w.run(t) }
    #expect(w.state.nonce(of: TestWorld.sender) == 0)
    #expect(w.state.accounts[TestWorld.coinbase] == nil)
  }
}
