import BraidPrimitives
import BraidRPC
import Glibc
import Testing

/// Polling filters: each eth_getFilterChanges shows what is new since the previous one, and
/// only that; ids die with eth_uninstallFilter or after the timeout; bad input is refused.
private let topic = "0x0000000000000000000000000000000000000000000000000000000000000077"

@Test func blockFilterShowsEachNewBlockOnce() throws {
  let t = TestChain()
  let id = try #require(t.result("eth_newBlockFilter")?.stringValue)
  #expect(id.hasPrefix("0x"))
  #expect(t.result("eth_getFilterChanges", "[\(hex(id))]") == [])
  _ = t.chain.mine(TestChain.signed(nonce: 0, to: TestChain.bob))
  _ = t.chain.mine(TestChain.signed(nonce: 1, to: TestChain.bob))
  let hashes = [1, 2].map { JSONValue.string(t.chain.block(number: $0)!.header.hash.description) }
  #expect(t.result("eth_getFilterChanges", "[\(hex(id))]") == .array(hashes))
  #expect(t.result("eth_getFilterChanges", "[\(hex(id))]") == [])
  _ = t.chain.mine(TestChain.signed(nonce: 2, to: TestChain.bob))
  let third = JSONValue.string(t.chain.block(number: 3)!.header.hash.description)
  #expect(t.result("eth_getFilterChanges", "[\(hex(id))]") == [third])
  // A block filter has no logs to list.
  #expect(t.call("eth_getFilterLogs", "[\(hex(id))]").error?.message == "filter not found")
}

@Test func logFilterShowsNewMatchingLogsOnce() throws {
  let t = TestChain()
  _ = t.chain.mine(TestChain.signed(nonce: 0, to: TestChain.logger))  // block 1, before the filters
  let logger = hex(TestChain.logger.description)
  let matching = try #require(t.result("eth_newFilter", "[{\"address\":\(logger),\"topics\":[\"\(topic)\"]}]")?.stringValue)
  let other = try #require(t.result("eth_newFilter", "[{\"topics\":[null,\"\(topic)\"]}]")?.stringValue)
  let early = try #require(t.result("eth_newFilter", #"[{"fromBlock":"0x0","toBlock":"0x2"}]"#)?.stringValue)
  #expect(Set([matching, other, early]).count == 3)

  _ = t.chain.mine(TestChain.signed(nonce: 1, to: TestChain.logger))  // block 2: a log
  _ = t.chain.mine(TestChain.signed(nonce: 2, to: TestChain.bob))  // block 3: none
  _ = t.chain.mine(TestChain.signed(nonce: 3, to: TestChain.logger))  // block 4: a log
  let changes = try #require(t.result("eth_getFilterChanges", "[\(hex(matching))]")?.arrayValue)
  #expect(changes.map { $0["blockNumber"] } == ["0x2", "0x4"])
  #expect(changes.first?["topics"] == [.string(topic)])
  #expect(t.result("eth_getFilterChanges", "[\(hex(matching))]") == [])
  #expect(t.result("eth_getFilterChanges", "[\(hex(other))]") == [])
  // Bounded by its toBlock: block 2's log only, whatever came later.
  #expect(t.result("eth_getFilterChanges", "[\(hex(early))]")?.arrayValue?.map { $0["blockNumber"] } == ["0x2"])

  // eth_getFilterLogs runs the whole query again, from its fromBlock (default latest).
  #expect(t.result("eth_getFilterLogs", "[\(hex(early))]")?.arrayValue?.map { $0["blockNumber"] } == ["0x1", "0x2"])
  #expect(t.result("eth_getFilterLogs", "[\(hex(matching))]")?.arrayValue?.map { $0["blockNumber"] } == ["0x4"])
  #expect(
    t.result("eth_getFilterLogs", "[\(hex(matching))]")
      == t.result("eth_getLogs", "[{\"address\":\(logger),\"topics\":[\"\(topic)\"]}]"))
}

@Test func pendingTransactionFilterShowsAcceptedHashes() throws {
  let t = TestChain()
  let id = try #require(t.result("eth_newPendingTransactionFilter")?.stringValue)
  let raw = Hex.encode(TestChain.signed(nonce: 0, to: TestChain.bob, value: 7))
  let hash = try #require(t.result("eth_sendRawTransaction", "[\(hex(raw))]"))
  // Refused submissions are not shown.
  #expect(t.call("eth_sendRawTransaction", "[\(hex(raw))]").error != nil)
  #expect(t.result("eth_getFilterChanges", "[\(hex(id))]") == [hash])
  #expect(t.result("eth_getFilterChanges", "[\(hex(id))]") == [])
}

@Test func uninstalledAndUnknownFiltersAreNotFound() throws {
  let t = TestChain()
  let id = try #require(t.result("eth_newBlockFilter")?.stringValue)
  #expect(t.result("eth_uninstallFilter", "[\(hex(id))]") == true)
  #expect(t.result("eth_uninstallFilter", "[\(hex(id))]") == false)
  let gone = t.call("eth_getFilterChanges", "[\(hex(id))]").error
  #expect(gone?.code == -32000)
  #expect(gone?.message == "filter not found")
  #expect(t.call("eth_getFilterLogs", #"["0x1234"]"#).error?.message == "filter not found")
  #expect(t.call("eth_getFilterChanges", "[5]").error?.code == -32602)
  #expect(t.call("eth_getFilterChanges", "[]").error?.code == -32602)
  let badAddress = t.call("eth_newFilter", #"[{"address":"0x12"}]"#).error
  #expect(badAddress?.code == -32602)
  #expect(t.call("eth_newFilter", #"[{"fromBlock":"0x1","blockHash":"0x00"}]"#).error?.code == -32602)
}

@Test func filtersExpireAndAreBounded() throws {
  let t = TestChain(configuration: RPCConfiguration(filterTimeout: .milliseconds(40), maxFilters: 2))
  let first = try #require(t.result("eth_newBlockFilter")?.stringValue)
  _ = try #require(t.result("eth_newPendingTransactionFilter")?.stringValue)
  #expect(t.call("eth_newBlockFilter").error?.message?.hasPrefix("too many filters") == true)
  // Not polled for longer than the timeout: both are dropped, which frees their places.
  usleep(120_000)
  #expect(t.call("eth_getFilterChanges", "[\(hex(first))]").error?.message == "filter not found")
  let again = try #require(t.result("eth_newBlockFilter")?.stringValue)
  #expect(t.result("eth_getFilterChanges", "[\(hex(again))]") == [])
}

@Test func aPollThatCannotAnswerLosesNothing() throws {
  let t = TestChain(configuration: RPCConfiguration(maxLogResults: 1))
  let id = try #require(t.result("eth_newFilter", "[{}]")?.stringValue)
  _ = t.chain.mine(TestChain.signed(nonce: 0, to: TestChain.logger))
  _ = t.chain.mine(TestChain.signed(nonce: 1, to: TestChain.logger))
  // Two logs where one is allowed: refused, and refused again, since the blocks stay unread.
  for _ in 0..<2 {
    #expect(t.call("eth_getFilterChanges", "[\(hex(id))]").error?.message == "query returned more than 1 results")
  }
}
