import BraidEVM
import BraidPrimitives
import BraidRPC
import Testing

/// eth_createAccessList: the accounts and slots a call touches, without the sender, the
/// recipient's bare address and the precompiles, and the gas the call uses with that list.
/// Runtime: BALANCE(0x0c0401) and SLOAD(3), then a STATICCALL to the identity precompile.
private let runtime: Bytes = [
  0x62, 0x0c, 0x04, 0x01, 0x31, 0x50,  // BALANCE(carol); POP
  0x60, 0x03, 0x54, 0x50,  // SLOAD(3); POP
  0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x04, 0x5a, 0xfa, 0x50,  // STATICCALL(gas, 4, 0, 0, 0, 0)
  0x00,
]

/// Deploys `runtime` with a CODECOPY-and-RETURN prefix; returns its address.
private func deployProbe(_ t: TestChain) throws -> Address {
  let n = UInt8(runtime.count)
  let initcode: Bytes = [0x60, n, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, n, 0x60, 0x00, 0xf3] + runtime
  let receipt = try #require(try? t.chain.mine(TestChain.signed(nonce: 0, to: nil, data: initcode, gas: 200_000)).get())
  return try #require(receipt.contractAddress)
}

@Test func accessListNamesWhatTheCallReads() throws {
  let t = TestChain()
  let probe = try deployProbe(t)
  let request = "{\"from\":\(hex(TestChain.alice.description)),\"to\":\(hex(probe.description))}"
  let answer = try #require(t.result("eth_createAccessList", "[\(request), \"latest\"]"))
  let slot3 = "0x" + String(repeating: "0", count: 63) + "3"
  let expected: [(Address, [String])] = [(TestChain.carol, []), (probe, [slot3])].sorted { $0.0 < $1.0 }
  let list = try #require(answer["accessList"]?.arrayValue)
  #expect(list.count == 2)
  for (entry, (address, keys)) in zip(list, expected) {
    #expect(entry["address"] == .string(address.description))
    #expect(entry["storageKeys"] == .array(keys.map { .string($0) }))
  }
  #expect(answer["error"] == nil)
  let gasUsed = try #require(answer["gasUsed"]?.stringValue.flatMap { UInt64($0.dropFirst(2), radix: 16) })

  // The same transaction, sent with that list, uses exactly that gas.
  let carolKeys: [UInt256] = []
  let tx = Transaction(
    type: 2, chainId: 1337, nonce: 1, gasLimit: 100_000, maxFeePerGas: UInt256(10_000_000_000),
    maxPriorityFeePerGas: UInt256(1_000_000_000), to: probe, value: .zero, data: [],
    accessList: [
      AccessListEntry(address: TestChain.carol, storageKeys: carolKeys),
      AccessListEntry(address: probe, storageKeys: [UInt256(3)]),
    ], sender: .zero)
  let raw = try TransactionSigner.sign(tx, privateKey: TestChain.key0)
  let receipt = try #require(try? t.chain.mine(raw).get())
  #expect(receipt.gasUsed == gasUsed)
  // Without it: the list paid 2 × 2400 + 1900 up front and saved 2500 (BALANCE of a cold
  // account) and 2000 (SLOAD of a cold slot); listing the recipient, as geth does too,
  // buys nothing, since it is warm anyway.
  let bare = try #require(try? t.chain.mine(TestChain.signed(nonce: 2, to: probe)).get())
  #expect(bare.gasUsed + 2200 == gasUsed)
}

@Test func accessListKeepsWhatTheCallerGaveAndReportsReverts() throws {
  let t = TestChain()
  let given = "0x00000000000000000000000000000000000000aa"
  let key = "0x" + String(repeating: "0", count: 62) + "0b"
  // The caller's own entries stay; the refuser reverts, which is reported, not thrown.
  let request =
    "{\"from\":\(hex(TestChain.alice.description)),\"to\":\(hex(TestChain.refuser.description)),"
    + "\"accessList\":[{\"address\":\"\(given)\",\"storageKeys\":[\"\(key)\"]}]}"
  let answer = try #require(t.result("eth_createAccessList", "[\(request)]"))
  #expect(answer["accessList"] == [.object(JSONObject([("address", .string(given)), ("storageKeys", [.string(key)])]))])
  #expect(answer["error"] == "execution reverted: nope")
  // A plain payment needs no list.
  let pay = "{\"from\":\(hex(TestChain.alice.description)),\"to\":\(hex(TestChain.bob.description)),\"value\":\"0x1\"}"
  #expect(t.result("eth_createAccessList", "[\(pay)]")?["accessList"] == [])
  #expect(t.result("eth_createAccessList", "[\(pay)]")?["gasUsed"] == "0x5208")
  #expect(t.call("eth_createAccessList", "[{\"to\":\"0x12\"}]").error?.code == -32602)
}
