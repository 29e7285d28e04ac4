import BraidRPC
import Testing

/// JSON-RPC 2.0: single calls, batches, notifications and the envelope errors, with
/// geth's codes and messages.
@Test func singleCallEchoesItsId() {
  let t = TestChain()
  #expect(t.rpc(#"{"jsonrpc":"2.0","id":7,"method":"eth_chainId","params":[]}"#) == ["jsonrpc": "2.0", "id": 7, "result": "0x539"])
  #expect(t.rpc(#"{"jsonrpc":"2.0","id":"abc","method":"eth_chainId"}"#)["id"] == "abc")
  #expect(t.rpc(#"{"jsonrpc":"2.0","id":18446744073709551616,"method":"eth_chainId"}"#)["id"] == .number("18446744073709551616"))
  #expect(t.rpc(#"{"jsonrpc":"2.0","id":null,"method":"eth_chainId"}"#)["result"] == "0x539")
}

@Test func batchAnswersEachCallInOrder() {
  let t = TestChain()
  let r = t.rpc(#"[{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},{"jsonrpc":"2.0","id":2,"method":"net_version"},{"jsonrpc":"2.0","id":3,"method":"nope"}]"#)
  guard case .array(let items) = r else {
    Issue.record("expected an array, got \(r)")
    return
  }
  #expect(items.count == 3)
  #expect(items[0]["result"] == "0x539")
  #expect(items[1]["result"] == "1337")
  #expect(items[2]["error"]?["code"] == -32601)
  #expect(items[2]["error"]?["message"] == "the method nope does not exist/is not available")
}

@Test func notificationsGetNoAnswer() {
  let t = TestChain()
  #expect(t.http(.post, "/", body: #"{"jsonrpc":"2.0","method":"eth_chainId"}"#).body.isEmpty)
  #expect(t.http(.post, "/", body: #"[{"jsonrpc":"2.0","method":"eth_chainId"},{"jsonrpc":"2.0","method":"x"}]"#).body.isEmpty)
  let mixed = t.rpc(#"[{"jsonrpc":"2.0","method":"eth_chainId"},{"jsonrpc":"2.0","id":5,"method":"eth_chainId"}]"#)
  #expect(mixed == [["jsonrpc": "2.0", "id": 5, "result": "0x539"]])
}

@Test func unparsableBodyIsAParseError() {
  let t = TestChain()
  #expect(t.rpc(#"{"jsonrpc":"2.0","#) == ["jsonrpc": "2.0", "id": nil, "error": ["code": -32700, "message": "parse error"]])
}

@Test func emptyBatchIsAnInvalidRequest() {
  let t = TestChain()
  #expect(t.rpc("[]") == ["jsonrpc": "2.0", "id": nil, "error": ["code": -32600, "message": "empty batch"]])
}

@Test func oversizedBatchIsRefusedWithTheFirstId() {
  let t = TestChain(configuration: RPCConfiguration(maxBatchSize: 3))
  let call = #"{"jsonrpc":"2.0","id":ID,"method":"eth_chainId"}"#
  let body = "[" + (1...4).map { call.replacingID(with: $0 + 100) }.joined(separator: ",") + "]"
  #expect(t.rpc(body) == [["jsonrpc": "2.0", "id": 101, "error": ["code": -32600, "message": "batch too large"]]])
  let ok = "[" + (1...3).map { call.replacingID(with: $0) }.joined(separator: ",") + "]"
  #expect(t.rpc(ok).arrayValue?.count == 3)
}

@Test(arguments: [
  #"1"#, #""x""#, #"{"id":1,"method":"eth_chainId"}"#, #"{"jsonrpc":"1.0","id":1,"method":"eth_chainId"}"#,
  #"{"jsonrpc":"2.0","id":1}"#, #"{"jsonrpc":"2.0","id":1,"method":5}"#, #"{"jsonrpc":"2.0","id":[1],"method":"eth_chainId"}"#,
])
func malformedRequestObjectIsAnInvalidRequest(_ body: String) {
  let t = TestChain()
  let r = t.rpc(body)
  #expect(r["error"] == ["code": -32600, "message": "invalid request"], "\(body) -> \(r)")
}

@Test func invalidMembersOfABatchFailAlone() {
  let t = TestChain()
  let r = t.rpc(#"[1,{"jsonrpc":"2.0","id":2,"method":"eth_chainId"}]"#).arrayValue ?? []
  #expect(r.count == 2)
  #expect(r[0]["error"]?["code"] == -32600)
  #expect(r[1]["result"] == "0x539")
}

@Test func paramsMustBeAnArray() {
  let t = TestChain()
  #expect(t.call("eth_chainId", #"{"a":1}"#).error?.message == "non-array args")
  #expect(t.call("eth_chainId", "null").result == "0x539")
}

@Test func wrongArgumentCountsUseGethWording() {
  let t = TestChain()
  #expect(t.call("eth_chainId", "[1]").error?.message == "too many arguments, want at most 0")
  let missing = t.call("eth_getBalance", "[]").error
  #expect(missing?.code == -32602)
  #expect(missing?.message == "missing value for required argument 0")
}

@Test func rpcRequiresPostAndJSON() {
  let t = TestChain()
  let get = t.http(.get, "/")
  #expect(get.status.code == 405)
  #expect(get.headers.contains { $0.name == "Allow" && $0.value == "POST" })
  #expect(t.http(.post, "/", body: "{}", contentType: "text/plain").status.code == 415)
  #expect(t.http(.post, "/", body: "{}", contentType: nil).status.code == 415)
  #expect(t.http(.post, "/", body: #"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#, contentType: "application/json; charset=utf-8").status.code == 200)
}

extension String {
  fileprivate func replacingID(with n: Int) -> String {
    split(separator: "ID", omittingEmptySubsequences: false).joined(separator: String(n))
  }
}
