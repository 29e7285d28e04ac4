import BraidEVM
import BraidPrimitives
import BraidRPC
import Testing

@Test func chainIdentityMethods() {
  let t = TestChain()
  #expect(t.result("eth_chainId") == "0x539")
  #expect(t.result("net_version") == "1337")
  #expect(t.result("net_listening") == true)
  #expect(t.result("eth_syncing") == false)
  #expect(t.result("eth_blockNumber") == "0x0")
  #expect(t.result("web3_clientVersion")?.stringValue?.hasPrefix("Braid/") == true)
  #expect(t.result("web3_sha3", #"["0x"]"#) == "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
  #expect(t.result("eth_accounts") == [.string(TestChain.alice.description)])
}

@Test func feeSuggestionsFollowTheHead() {
  let t = TestChain()
  // Genesis base fee 1 gwei plus the 1 gwei suggested tip.
  #expect(t.result("eth_gasPrice") == "0x77359400")
  #expect(t.result("eth_maxPriorityFeePerGas") == "0x3b9aca00")
}

@Test func accountStateReads() {
  let t = TestChain()
  let alice = hex(TestChain.alice.description)
  #expect(t.result("eth_getBalance", "[\(alice), \"latest\"]") == "0x56bc75e2d63100000")
  #expect(t.result("eth_getBalance", "[\(alice)]") == "0x56bc75e2d63100000")
  #expect(t.result("eth_getBalance", #"["0x0000000000000000000000000000000000000bad","latest"]"#) == "0x0")
  #expect(t.result("eth_getTransactionCount", "[\(alice), \"latest\"]") == "0x0")
  #expect(t.result("eth_getCode", "[\(hex(TestChain.answer.description)), \"latest\"]") == "0x602a60005260206000f3")
  #expect(t.result("eth_getCode", "[\(alice), \"latest\"]") == "0x")
  let logger = hex(TestChain.logger.description)
  #expect(
    t.result("eth_getStorageAt", "[\(logger), \"0x7\", \"latest\"]")
      == "0x0000000000000000000000000000000000000000000000000000000000000009")
  #expect(
    t.result("eth_getStorageAt", "[\(logger), \"0x0000000000000000000000000000000000000000000000000000000000000007\"]")
      == "0x0000000000000000000000000000000000000000000000000000000000000009")
}

@Test func blockTagsAndNumbersResolve() {
  let t = TestChain()
  _ = t.chain.mine(TestChain.signed(nonce: 0, to: TestChain.bob, value: 1))
  let alice = hex(TestChain.alice.description)
  for tag in ["latest", "pending", "safe", "finalized", "0x1"] {
    #expect(t.result("eth_getTransactionCount", "[\(alice), \"\(tag)\"]") == "0x1", "\(tag)")
  }
  #expect(t.result("eth_getTransactionCount", "[\(alice), \"earliest\"]") == "0x0")
  #expect(t.result("eth_getTransactionCount", "[\(alice), \"0x0\"]") == "0x0")
  // EIP-1898 objects.
  #expect(t.result("eth_getTransactionCount", "[\(alice), {\"blockNumber\":\"0x0\"}]") == "0x0")
  let hash1 = t.chain.block(number: 1)!.header.hash.description
  #expect(t.result("eth_getTransactionCount", "[\(alice), {\"blockHash\":\"\(hash1)\"}]") == "0x1")
  #expect(t.result("eth_getTransactionCount", "[\(alice), \"\(hash1)\"]") == "0x1")
}

@Test func missingBlocksUseGethWording() {
  let t = TestChain()
  let alice = hex(TestChain.alice.description)
  let future = t.call("eth_getBalance", "[\(alice), \"0x5\"]").error
  #expect(future?.code == -32000)
  #expect(future?.message == "header not found")
  let unknownHash = t.call("eth_getBalance", "[\(alice), {\"blockHash\":\"0x\(String(repeating: "ab", count: 32))\"}]").error
  #expect(unknownHash?.message == "header for hash not found")
  #expect(t.result("eth_getBlockByNumber", #"["0x9", false]"#) == .null)
  #expect(t.result("eth_getBlockTransactionCountByNumber", #"["0x9"]"#) == .null)
}

/// hexutil's rules and messages, each wrapped as `invalid argument N: ...`.
@Test(arguments: [
  (#"["0x70997970c51812dc3a010c7d01b50e0d17dc79c8", "0x01"]"#, "invalid argument 1: hex number with leading zero digits"),
  (#"["0x70997970c51812dc3a010c7d01b50e0d17dc79c8", "1"]"#, "invalid argument 1: hex string without 0x prefix"),
  (#"["0x70997970c51812dc3a010c7d01b50e0d17dc79c8", "0x"]"#, #"invalid argument 1: hex string "0x""#),
  (#"["0x70997970c51812dc3a010c7d01b50e0d17dc79c8", "0xg"]"#, "invalid argument 1: invalid hex string"),
  (#"["0x70997970c51812dc3a010c7d01b50e0d17dc79c8", "0x10000000000000000"]"#, "invalid argument 1: hex number > 64 bits"),
  (#"["0x70997970c51812dc3a010c7d01b50e0d17dc79c8", "0x8000000000000000"]"#, "invalid argument 1: block number larger than int64"),
  (#"["0x70997970c51812dc3a010c7d01b50e0d17dc79", "latest"]"#, "invalid argument 0: hex string has length 38, want 40 for common.Address"),
  (#"["70997970c51812dc3a010c7d01b50e0d17dc79c8", "latest"]"#, "invalid argument 0: hex string without 0x prefix"),
  (#"[12, "latest"]"#, "invalid argument 0: json: cannot unmarshal non-string into Go value of type common.Address"),
  (#"["0x70997970c51812dc3a010c7d01b50e0d17dc79c8", "latest", 1]"#, "too many arguments, want at most 2"),
])
func malformedParametersAreInvalidParams(params: String, message: String) {
  let t = TestChain()
  let e = t.call("eth_getBalance", params).error
  #expect(e?.code == -32602)
  #expect(e?.message == message)
}

@Test func dataParametersMustBeEvenLength() {
  let t = TestChain()
  #expect(t.call("eth_sendRawTransaction", #"["0xabc"]"#).error?.message == "invalid argument 0: hex string of odd length")
  #expect(t.call("web3_sha3", #"[""]"#).error?.message == "invalid argument 0: empty hex string")
  // A bad digit anywhere, first or last, refuses the whole value; both cases are accepted.
  #expect(t.call("web3_sha3", #"["0xzz00"]"#).error?.message == "invalid argument 0: invalid hex string")
  #expect(t.call("web3_sha3", #"["0x00g0"]"#).error?.message == "invalid argument 0: invalid hex string")
  #expect(t.call("web3_sha3", #"["0xAbCd"]"#).result == .string(Keccak256.hash([0xAB, 0xCD]).description))
}
