import BraidPrimitives
import BraidRPC
import Testing

@Test func callReturnsTheOutput() {
  let t = TestChain()
  #expect(
    t.result("eth_call", "[{\"to\":\(hex(TestChain.answer.description))}, \"latest\"]")
      == "0x000000000000000000000000000000000000000000000000000000000000002a")
  // A contract may be the caller: its code is ignored for the call (EIP-3607 does not apply).
  #expect(
    t.result("eth_call", "[{\"from\":\(hex(TestChain.logger.description)),\"to\":\(hex(TestChain.answer.description))}]")?
      .stringValue?.hasSuffix("2a") == true)
}

@Test func revertIsCode3WithReasonAndData() throws {
  let t = TestChain()
  let e = try #require(t.call("eth_call", "[{\"to\":\(hex(TestChain.refuser.description))}]").error)
  #expect(e.code == 3)
  #expect(e.message == "execution reverted: nope")
  #expect(e["data"]?.stringValue?.hasPrefix("0x08c379a0") == true)
  let estimate = try #require(t.call("eth_estimateGas", "[{\"to\":\(hex(TestChain.refuser.description))}]").error)
  #expect(estimate.code == 3)
  #expect(estimate.message == "execution reverted: nope")
}

@Test func estimateGasFindsTheSmallestLimit() {
  let t = TestChain()
  let transfer = "[{\"from\":\(hex(TestChain.alice.description)),\"to\":\(hex(TestChain.bob.description)),\"value\":\"0x1\"}]"
  #expect(t.result("eth_estimateGas", transfer) == "0x5208")
  // SSTORE of a fresh slot: 22100 plus the log and memory; the estimate must then succeed.
  let store = "[{\"from\":\(hex(TestChain.alice.description)),\"to\":\(hex(TestChain.logger.description))}]"
  let gas = t.result("eth_estimateGas", store)?.stringValue.flatMap { UInt64($0.dropFirst(2), radix: 16) } ?? 0
  #expect(gas > 43_000 && gas < 50_000)
  let tooLittle = t.call("eth_estimateGas", "[{\"to\":\(hex(TestChain.logger.description)),\"gas\":\"0x5300\"}]").error
  #expect(tooLittle?.message == "gas required exceeds allowance (21248)")
}

@Test func callWithFeesNeedsFunds() {
  let t = TestChain()
  let poor = "[{\"from\":\(hex(TestChain.carol.description)),\"to\":\(hex(TestChain.answer.description)),\"gasPrice\":\"0x3b9aca00\"}]"
  #expect(t.call("eth_call", poor).error?.message == "insufficient funds for gas * price + value")
  let both = "[{\"to\":\(hex(TestChain.answer.description)),\"data\":\"0x01\",\"input\":\"0x02\"}]"
  #expect(t.call("eth_call", both).error?.code == -32602)
}
