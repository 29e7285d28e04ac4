import BraidPrimitives
import BraidRPC
import Testing

private func chainWithLogs() -> TestChain {
  let t = TestChain()
  _ = t.chain.mine(TestChain.signed(nonce: 0, to: TestChain.logger))  // block 1: a log
  _ = t.chain.mine(TestChain.signed(nonce: 1, to: TestChain.bob))  // block 2: none
  _ = t.chain.mine(TestChain.signed(nonce: 2, to: TestChain.logger))  // block 3: a log
  return t
}

private let topic = "0x0000000000000000000000000000000000000000000000000000000000000077"

@Test func logsFilterByRangeAddressAndTopic() throws {
  let t = chainWithLogs()
  let all = try #require(t.result("eth_getLogs", #"[{"fromBlock":"earliest","toBlock":"latest"}]"#)?.arrayValue)
  #expect(all.count == 2)
  #expect(all.map { $0["blockNumber"] } == ["0x1", "0x3"])
  #expect(all[0]["address"] == .string(TestChain.logger.description))
  #expect(all[0]["topics"] == [.string(topic)])
  #expect(all[0]["data"] == "0x00000000000000000000000000000000000000000000000000000000000000aa")
  #expect(all[0]["logIndex"] == "0x0")
  #expect(all[0]["removed"] == false)

  #expect(t.result("eth_getLogs", #"[{"fromBlock":"0x2"}]"#)?.arrayValue?.count == 1)
  #expect(t.result("eth_getLogs", "[{\"fromBlock\":\"0x0\",\"address\":[\(hex(TestChain.bob.description))]}]") == [])
  #expect(t.result("eth_getLogs", "[{\"fromBlock\":\"0x0\",\"topics\":[[\"\(topic)\"]]}]")?.arrayValue?.count == 2)
  #expect(t.result("eth_getLogs", "[{\"fromBlock\":\"0x0\",\"topics\":[null,\"\(topic)\"]}]") == [])
  let hash3 = t.chain.block(number: 3)!.header.hash.description
  #expect(t.result("eth_getLogs", "[{\"blockHash\":\"\(hash3)\"}]")?.arrayValue?.count == 1)
}

@Test func logQueriesAreBounded() {
  let t = TestChain(configuration: RPCConfiguration(maxLogBlockRange: 2))
  for n in 0..<3 { _ = t.chain.mine(TestChain.signed(nonce: UInt64(n), to: TestChain.bob)) }
  #expect(t.call("eth_getLogs", #"[{"fromBlock":"0x0","toBlock":"0x3"}]"#).error?.message == "query exceeds max block range 2")
  #expect(t.call("eth_getLogs", #"[{"fromBlock":"0x3","toBlock":"0x1"}]"#).error?.message == "invalid block range params")
  let both = t.call("eth_getLogs", "[{\"fromBlock\":\"0x1\",\"blockHash\":\"0x\(String(repeating: "00", count: 32))\"}]").error
  #expect(both?.code == -32602)
  #expect(t.call("eth_getLogs", #"[{"topics":[null,null,null,null,null]}]"#).error?.message == "invalid argument 0: exceed max topics")
}

@Test func feeHistoryReportsBaseFeesRatiosAndRewards() throws {
  let t = TestChain()
  _ = t.chain.mine(TestChain.signed(nonce: 0, to: TestChain.bob))
  _ = t.chain.mine(TestChain.signed(nonce: 1, to: TestChain.bob, tip: UInt256(2_000_000_000)))
  let h = try #require(t.result("eth_feeHistory", #"["0x2", "latest", [25, 75]]"#))
  #expect(h["oldestBlock"] == "0x1")
  let baseFees = try #require(h["baseFeePerGas"]?.arrayValue)
  #expect(baseFees.count == 3)
  #expect(baseFees[0] == .quantity(t.chain.block(number: 1)!.header.baseFeePerGas))
  #expect(h["gasUsedRatio"]?.arrayValue?.count == 2)
  let rewards = try #require(h["reward"]?.arrayValue)
  #expect(rewards == [["0x3b9aca00", "0x3b9aca00"], ["0x77359400", "0x77359400"]])
  // A block count may be a plain number; more blocks than exist are clipped.
  #expect(t.result("eth_feeHistory", #"[10, "latest"]"#)?["oldestBlock"] == "0x0")
  #expect(t.call("eth_feeHistory", #"["0x1", "latest", [50, 10]]"#).error?.message == "invalid argument 2: invalid reward percentile")
}
