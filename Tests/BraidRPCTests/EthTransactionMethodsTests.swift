import BraidEVM
import BraidPrimitives
import BraidRPC
import Testing

@Test func rawTransactionIsMinedAndReadableEveryWay() throws {
  let t = TestChain()
  let raw = TestChain.signed(nonce: 0, to: TestChain.bob, value: UInt256(1000))
  let hash = try #require(t.result("eth_sendRawTransaction", "[\(hex(Hex.encode(raw)))]")?.stringValue)
  #expect(hash == Keccak256.hash(raw).description)
  #expect(t.result("eth_blockNumber") == "0x1")

  let receipt = try #require(t.result("eth_getTransactionReceipt", "[\(hex(hash))]"))
  #expect(receipt["status"] == "0x1")
  #expect(receipt["gasUsed"] == "0x5208")
  #expect(receipt["cumulativeGasUsed"] == "0x5208")
  #expect(receipt["blockNumber"] == "0x1")
  #expect(receipt["transactionIndex"] == "0x0")
  #expect(receipt["from"] == .string(TestChain.alice.description))
  #expect(receipt["to"] == .string(TestChain.bob.description))
  #expect(receipt["contractAddress"] == .null)
  #expect(receipt["type"] == "0x2")
  #expect(receipt["logs"] == [])

  let tx = try #require(t.result("eth_getTransactionByHash", "[\(hex(hash))]"))
  #expect(tx["hash"] == .string(hash))
  #expect(tx["nonce"] == "0x0")
  #expect(tx["value"] == "0x3e8")
  #expect(tx["gas"] == "0x186a0")
  #expect(tx["maxFeePerGas"] == "0x2540be400")
  #expect(tx["maxPriorityFeePerGas"] == "0x3b9aca00")
  #expect(tx["chainId"] == "0x539")
  #expect(tx["type"] == "0x2")
  #expect(tx["input"] == "0x")
  #expect(tx["blockHash"] == receipt["blockHash"])
  #expect(tx["yParity"] == tx["v"])
  #expect(tx["r"]?.stringValue?.hasPrefix("0x") == true)

  let block = try #require(t.result("eth_getBlockByNumber", #"["latest", true]"#))
  #expect(block["transactions"]?.arrayValue?.first?["hash"] == .string(hash))
  let byHash = try #require(t.result("eth_getBlockByHash", "[\(hex(receipt["blockHash"]!.stringValue!)), false]"))
  #expect(byHash["transactions"] == [.string(hash)])
  #expect(byHash["gasUsed"] == "0x5208")
  #expect(t.result("eth_getBlockTransactionCountByNumber", #"["0x1"]"#) == "0x1")
  #expect(t.result("eth_getBlockTransactionCountByHash", "[\(hex(receipt["blockHash"]!.stringValue!))]") == "0x1")
  #expect(t.result("eth_getBalance", "[\(hex(TestChain.bob.description))]") == "0x56bc75e2d631003e8")
  #expect(t.result("eth_getTransactionCount", "[\(hex(TestChain.alice.description)), \"pending\"]") == "0x1")
}

@Test func unknownTransactionsAreNull() {
  let t = TestChain()
  let h = hex("0x" + String(repeating: "11", count: 32))
  #expect(t.result("eth_getTransactionByHash", "[\(h)]") == .null)
  #expect(t.result("eth_getTransactionReceipt", "[\(h)]") == .null)
}

@Test func refusedTransactionsUseGethMessages() {
  let t = TestChain()
  let first = Hex.encode(TestChain.signed(nonce: 0, to: TestChain.bob))
  _ = t.result("eth_sendRawTransaction", "[\(hex(first))]")
  #expect(t.call("eth_sendRawTransaction", "[\(hex(first))]").error?.message == "already known")
  let stale = Hex.encode(TestChain.signed(nonce: 0, to: TestChain.bob, value: 5))
  let low = t.call("eth_sendRawTransaction", "[\(hex(stale))]").error
  #expect(low?.code == -32000)
  #expect(low?.message == "nonce too low: next nonce 1, tx nonce 0")
  let rich = Hex.encode(TestChain.signed(nonce: 1, to: TestChain.bob, value: TestChain.ether &* UInt256(1000)))
  #expect(t.call("eth_sendRawTransaction", "[\(hex(rich))]").error?.message == "insufficient funds for gas * price + value")
  let otherChain = Hex.encode(TestChain.signed(nonce: 1, to: TestChain.bob, chainId: 1))
  #expect(t.call("eth_sendRawTransaction", "[\(hex(otherChain))]").error?.message == "invalid chain id for signer")
  let cheap = Hex.encode(TestChain.signed(nonce: 1, to: TestChain.bob, maxFee: UInt256(1), tip: UInt256(1)))
  #expect(t.call("eth_sendRawTransaction", "[\(hex(cheap))]").error?.message == "max fee per gas less than block base fee")
  let garbage = t.call("eth_sendRawTransaction", #"["0xc0"]"#).error
  #expect(garbage?.code == -32000)
  #expect(garbage?.message?.hasPrefix("rlp: ") == true)
}

@Test func rejectedTransactionReportsItsReason() throws {
  let t = TestChain()
  let raw = TestChain.signed(nonce: 3, to: TestChain.bob)
  _ = t.call("eth_sendRawTransaction", "[\(hex(Hex.encode(raw)))]")
  let r = t.http(.get, "/v1/transactions/\(Keccak256.hash(raw))")
  #expect(r.status.code == 200)
  let body = try JSONParser.parse(r.body)
  #expect(body["status"] == "rejected")
  #expect(body["reason"] == "nonce too high: next nonce 0, tx nonce 3")
}

@Test func syncSubmissionAnswersWithTheReceipt() throws {
  let t = TestChain()
  let raw = Hex.encode(TestChain.signed(nonce: 0, to: TestChain.logger))
  let receipt = try #require(t.result("eth_sendRawTransactionSync", "[\(hex(raw)), 5000]"))
  #expect(receipt["status"] == "0x1")
  #expect(receipt["logs"]?.arrayValue?.count == 1)
  let second = Hex.encode(TestChain.signed(nonce: 1, to: TestChain.bob))
  #expect(t.result("eth_sendRawTransactionSync", "[\(hex(second)), \"0x1388\"]")?["blockNumber"] == "0x2")
}

@Test func devAccountsCanSendUnsignedTransactions() throws {
  let t = TestChain()
  let params = "[{\"from\":\(hex(TestChain.alice.description)),\"to\":\(hex(TestChain.carol.description)),\"value\":\"0x10\"}]"
  let hash = try #require(t.result("eth_sendTransaction", params)?.stringValue)
  let receipt = try #require(t.result("eth_getTransactionReceipt", "[\(hex(hash))]"))
  #expect(receipt["status"] == "0x1")
  #expect(receipt["gasUsed"] == "0x5208")
  #expect(t.result("eth_getBalance", "[\(hex(TestChain.carol.description))]") == "0x10")
  let stranger = "[{\"from\":\(hex(TestChain.bob.description)),\"to\":\(hex(TestChain.carol.description))}]"
  #expect(t.call("eth_sendTransaction", stranger).error?.message == "unknown account")
}

@Test func contractCreationReportsItsAddress() throws {
  let t = TestChain()
  // Init code returning the one-byte runtime 0x00.
  let initCode: Bytes = [0x60, 0x00, 0x60, 0x00, 0x53, 0x60, 0x01, 0x60, 0x00, 0xf3]
  let raw = Hex.encode(TestChain.signed(nonce: 0, to: nil, data: initCode, gas: 200_000))
  let receipt = try #require(t.result("eth_sendRawTransactionSync", "[\(hex(raw))]"))
  let created = try #require(receipt["contractAddress"]?.stringValue)
  #expect(t.result("eth_getCode", "[\(hex(created))]") == "0x00")
  let hash = try #require(receipt["transactionHash"]?.stringValue)
  #expect(t.result("eth_getTransactionByHash", "[\(hex(hash))]")?["to"] == .null)
}

@Test func devAccountsSignLegacyAndAccessListTransactions() throws {
  let t = TestChain()
  let from = hex(TestChain.alice.description), to = hex(TestChain.carol.description)
  let legacy = try #require(t.result("eth_sendTransaction", "[{\"from\":\(from),\"to\":\(to),\"gasPrice\":\"0x77359400\"}]")?.stringValue)
  let tx0 = try #require(t.result("eth_getTransactionByHash", "[\(hex(legacy))]"))
  #expect(tx0["type"] == "0x0")
  #expect(tx0["gasPrice"] == "0x77359400")
  // EIP-155: v = chainId * 2 + 35 + yParity, so 2709 or 2710 for chain 1337.
  #expect(tx0["v"] == "0xa95" || tx0["v"] == "0xa96")
  #expect(tx0["yParity"] == nil)
  let accessList = "[{\"address\":\(to),\"storageKeys\":[\"0x\(String(repeating: "00", count: 31))01\"]}]"
  let typed = try #require(
    t.result("eth_sendTransaction", "[{\"from\":\(from),\"to\":\(to),\"type\":\"0x1\",\"gasPrice\":\"0x77359400\",\"accessList\":\(accessList)}]")?.stringValue)
  let tx1 = try #require(t.result("eth_getTransactionByHash", "[\(hex(typed))]"))
  #expect(tx1["type"] == "0x1")
  #expect(tx1["accessList"]?.arrayValue?.first?["storageKeys"]?.arrayValue?.count == 1)
  #expect(t.result("eth_getTransactionReceipt", "[\(hex(typed))]")?["status"] == "0x1")
}
