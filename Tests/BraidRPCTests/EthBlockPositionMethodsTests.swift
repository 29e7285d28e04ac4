import BraidEVM
import BraidPrimitives
import BraidRPC
import Testing

/// Transactions by their position in a block, the uncle queries, eth_coinbase and
/// eth_blobBaseFee, answered as geth answers them.
@Test func transactionsByBlockAndIndex() throws {
  let t = TestChain()
  let first = try #require(try? t.chain.mine(TestChain.signed(nonce: 0, to: TestChain.bob, value: 1)).get())
  let second = try #require(try? t.chain.mine(TestChain.signed(nonce: 1, to: TestChain.carol, value: 2)).get())
  let hash1 = t.chain.block(number: 1)!.header.hash.description
  let hash2 = t.chain.block(number: 2)!.header.hash.description

  let byNumber = try #require(t.result("eth_getTransactionByBlockNumberAndIndex", #"["0x2", "0x0"]"#))
  #expect(byNumber["hash"] == .string(second.transactionHash.description))
  #expect(byNumber["blockNumber"] == "0x2")
  #expect(byNumber["transactionIndex"] == "0x0")
  #expect(byNumber["to"] == .string(TestChain.carol.description))
  #expect(byNumber == t.result("eth_getTransactionByHash", "[\(hex(second.transactionHash.description))]"))

  let latest = t.result("eth_getTransactionByBlockNumberAndIndex", #"["latest", "0x0"]"#)
  #expect(latest?["hash"] == .string(second.transactionHash.description))
  let byHash = t.result("eth_getTransactionByBlockHashAndIndex", "[\(hex(hash1)), \"0x0\"]")
  #expect(byHash?["hash"] == .string(first.transactionHash.description))
  #expect(byHash?["blockHash"] == .string(hash1))

  // Past the end of the block, or no such block: null, not an error.
  #expect(t.result("eth_getTransactionByBlockNumberAndIndex", #"["0x1", "0x1"]"#) == .null)
  #expect(t.result("eth_getTransactionByBlockNumberAndIndex", #"["0x0", "0x0"]"#) == .null)
  #expect(t.result("eth_getTransactionByBlockNumberAndIndex", #"["0x9", "0x0"]"#) == .null)
  let unknown = "\"0x\(String(repeating: "ab", count: 32))\""
  #expect(t.result("eth_getTransactionByBlockHashAndIndex", "[\(unknown), \"0x0\"]") == .null)
  #expect(t.result("eth_getTransactionByBlockHashAndIndex", "[\(hex(hash2)), \"0x5\"]") == .null)

  // Bad parameters are refused with geth's wording and change nothing.
  let badIndex = t.call("eth_getTransactionByBlockNumberAndIndex", #"["0x1", "1"]"#).error
  #expect(badIndex?.code == -32602)
  #expect(badIndex?.message == "invalid argument 1: hex string without 0x prefix")
  #expect(t.call("eth_getTransactionByBlockNumberAndIndex", #"["0x1"]"#).error?.code == -32602)
  #expect(t.result("eth_blockNumber") == "0x2")
}

@Test func unclesAreAlwaysEmpty() {
  let t = TestChain()
  _ = t.chain.mine(TestChain.signed(nonce: 0, to: TestChain.bob, value: 1))
  let hash1 = t.chain.block(number: 1)!.header.hash.description
  #expect(t.result("eth_getUncleCountByBlockNumber", #"["latest"]"#) == "0x0")
  #expect(t.result("eth_getUncleCountByBlockNumber", #"["0x0"]"#) == "0x0")
  #expect(t.result("eth_getUncleCountByBlockHash", "[\(hex(hash1))]") == "0x0")
  // No such block: null, as geth answers.
  #expect(t.result("eth_getUncleCountByBlockNumber", #"["0x7"]"#) == .null)
  #expect(t.result("eth_getUncleCountByBlockHash", "[\"0x\(String(repeating: "cd", count: 32))\"]") == .null)
  #expect(t.result("eth_getUncleByBlockNumberAndIndex", #"["0x1", "0x0"]"#) == .null)
  #expect(t.result("eth_getUncleByBlockHashAndIndex", "[\(hex(hash1)), \"0x0\"]") == .null)
  #expect(t.call("eth_getUncleByBlockNumberAndIndex", #"["0x1", "zero"]"#).error?.code == -32602)
}

@Test func coinbaseAndBlobBaseFee() {
  let t = TestChain()
  #expect(t.result("eth_coinbase") == t.result("eth_getBlockByNumber", #"["latest", false]"#)?["miner"])
  #expect(t.result("eth_coinbase")?.stringValue?.count == 42)
  // No blobs in Braid's blocks: the blob base fee stays at its 1 wei minimum, the
  // figure eth_feeHistory gives too.
  #expect(t.result("eth_blobBaseFee") == "0x1")
  #expect(t.result("eth_feeHistory", #"["0x1", "latest"]"#)?["baseFeePerBlobGas"] == ["0x1", "0x1"])
  #expect(t.call("eth_coinbase", #"["extra"]"#).error?.code == -32602)
}
