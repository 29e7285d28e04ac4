import BraidPrimitives
import BraidRPC
import Testing

/// eth_call and eth_estimateGas with geth's state override set: the call sees the
/// overridden balance, nonce, code and storage; the chain does not.
private func word(_ n: String) -> String { "0x" + String(repeating: "0", count: 64 - n.count) + n }
/// Returns SLOAD(7).
private let loadSeven = "0x60075460005260206000f3"
/// Returns BALANCE(CALLER).
private let callerBalance = "0x333160005260206000f3"
/// CREATE with empty init code, returns the new address: it depends on this account's nonce.
private let creates = "0x600060006000f060005260206000f3"

@Test func callSeesOverriddenCodeBalanceAndStorage() throws {
  let t = TestChain()
  let logger = TestChain.logger.description
  let carol = TestChain.carol.description
  let nowhere = "0x00000000000000000000000000000000000000ee"

  // Code at an address that has none.
  let code = "{\"\(nowhere)\":{\"code\":\"\(loadSeven)\"}}"
  #expect(t.result("eth_call", "[{\"to\":\"\(nowhere)\"}, \"latest\", \(code)]") == .string(word("0")))
  #expect(t.result("eth_call", "[{\"to\":\"\(nowhere)\"}, \"latest\"]") == "0x")

  // stateDiff keeps the other slots; state replaces the whole storage.
  let keep = "{\"\(logger)\":{\"code\":\"\(loadSeven)\",\"stateDiff\":{\"\(word("8"))\":\"\(word("5"))\"}}}"
  #expect(t.result("eth_call", "[{\"to\":\"\(logger)\"}, \"latest\", \(keep)]") == .string(word("9")))
  let change = "{\"\(logger)\":{\"code\":\"\(loadSeven)\",\"stateDiff\":{\"\(word("7"))\":\"\(word("2a"))\"}}}"
  #expect(t.result("eth_call", "[{\"to\":\"\(logger)\"}, \"latest\", \(change)]") == .string(word("2a")))
  let replace = "{\"\(logger)\":{\"code\":\"\(loadSeven)\",\"state\":{\"\(word("8"))\":\"\(word("5"))\"}}}"
  #expect(t.result("eth_call", "[{\"to\":\"\(logger)\"}, \"latest\", \(replace)]") == .string(word("0")))

  // The caller's balance.
  let rich = "{\"\(carol)\":{\"balance\":\"0x1234\"},\"\(nowhere)\":{\"code\":\"\(callerBalance)\"}}"
  #expect(t.result("eth_call", "[{\"from\":\"\(carol)\",\"to\":\"\(nowhere)\"}, \"latest\", \(rich)]") == .string(word("1234")))

  // A contract's nonce decides the address its CREATE makes.
  func created(nonce: String) -> JSONValue? {
    t.result("eth_call", "[{\"to\":\"\(nowhere)\"}, \"latest\", {\"\(nowhere)\":{\"code\":\"\(creates)\",\"nonce\":\"\(nonce)\"}}]")
  }
  let first = try #require(created(nonce: "0x1"))
  #expect(first != created(nonce: "0x5"))
  #expect(first == created(nonce: "0x1"))

  // Nothing of it stayed.
  #expect(t.result("eth_getCode", "[\"\(nowhere)\", \"latest\"]") == "0x")
  #expect(t.result("eth_getBalance", "[\"\(carol)\", \"latest\"]") == "0x0")
  #expect(t.result("eth_getStorageAt", "[\"\(logger)\", \"0x7\", \"latest\"]") == .string(word("9")))
}

@Test func estimateGasTakesOverridesToo() {
  let t = TestChain()
  let carol = TestChain.carol.description
  let pay = "{\"from\":\"\(carol)\",\"to\":\(hex(TestChain.bob.description)),\"value\":\"0x1\"}"
  #expect(t.call("eth_estimateGas", "[\(pay)]").error != nil)
  #expect(t.result("eth_estimateGas", "[\(pay), \"latest\", {\"\(carol)\":{\"balance\":\"0xffffff\"}}]") == "0x5208")
}

@Test func badOverridesAreRefused() throws {
  let t = TestChain()
  let logger = TestChain.logger.description
  let call = "{\"to\":\"\(logger)\"}"
  let both = try #require(
    t.call("eth_call", "[\(call), \"latest\", {\"\(logger)\":{\"state\":{},\"stateDiff\":{}}}]").error)
  #expect(both.code == -32602)
  #expect(both.message == "invalid argument 2: account \(logger) has both 'state' and 'stateDiff'")
  let unknown = try #require(
    t.call("eth_call", "[\(call), \"latest\", {\"\(logger)\":{\"movePrecompileToAddress\":\"0x01\"}}]").error)
  #expect(unknown.message?.contains("unsupported field movePrecompileToAddress") == true)
  #expect(t.call("eth_call", "[\(call), \"latest\", {\"0x12\":{}}]").error?.code == -32602)
  #expect(t.call("eth_call", "[\(call), \"latest\", {\"\(logger)\":{\"balance\":\"12\"}}]").error?.code == -32602)
  #expect(t.call("eth_call", "[\(call), \"latest\", [1]]").error?.code == -32602)
  #expect(t.call("eth_call", "[\(call), \"latest\", {}, {}]").error?.message == "too many arguments, want at most 3")
}
