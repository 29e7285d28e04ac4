import BraidHTTP
import BraidPrimitives
import BraidRPC
import Testing

private func json(_ r: HTTPResponse) -> JSONValue { (try? JSONParser.parse(r.body)) ?? .null }

@Test func accountStateRoute() {
  let t = TestChain()
  let r = t.http(.get, "/v1/state/\(TestChain.answer)")
  #expect(r.status.code == 200)
  #expect(r.headers.contains { $0.name == "Content-Type" && $0.value == "application/json" })
  let body = json(r)
  #expect(body["balance"] == "0x0")
  #expect(body["nonce"] == "0x0")
  #expect(body["codeHash"] == .hash(Keccak256.hash([0x60, 0x2a, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3])))
  #expect(body["blockNumber"] == "0x0")
}

@Test func storageRouteTakesHexOrDecimalSlots() {
  let t = TestChain()
  for slot in ["0x7", "7", "0x0000000000000000000000000000000000000000000000000000000000000007"] {
    let body = json(t.http(.get, "/v1/state/\(TestChain.logger)/storage/\(slot)"))
    #expect(body["value"] == "0x0000000000000000000000000000000000000000000000000000000000000009", "\(slot)")
  }
}

@Test func receiptTransactionAndBlockRoutes() throws {
  let t = TestChain()
  let receipt = try #require(try? t.chain.mine(TestChain.signed(nonce: 0, to: TestChain.logger)).get())
  let hash = receipt.transactionHash
  let r = json(t.http(.get, "/v1/receipts/\(hash)"))
  #expect(r["status"] == "0x1")
  #expect(r["logs"]?.arrayValue?.count == 1)
  let tx = json(t.http(.get, "/v1/transactions/\(hash)"))
  #expect(tx["status"] == "included")
  #expect(tx["receipt"]?["blockNumber"] == "0x1")
  #expect(tx["transaction"]?["hash"] == .hash(hash))
  for id in ["latest", "1", "0x1"] {
    #expect(json(t.http(.get, "/v1/blocks/\(id)"))["transactions"] == [.hash(hash)], "\(id)")
  }
  #expect(json(t.http(.get, "/v1/blocks/earliest"))["number"] == "0x0")
  #expect(t.http(.head, "/v1/blocks/latest").status.code == 200)
}

@Test(arguments: [
  ("/v1/state/0x1234", 400), ("/v1/state/\(TestChain.bob)/storage/0xzz", 400), ("/v1/receipts/0xabc", 400),
  ("/v1/transactions/nothex", 400), ("/v1/blocks/nine", 400),
  ("/v1/receipts/0x\(String(repeating: "00", count: 32))", 404),
  ("/v1/transactions/0x\(String(repeating: "00", count: 32))", 404), ("/v1/blocks/99", 404), ("/v1/unknown/x", 404),
  ("/v1/state", 404), ("/v2/state/x", 404), ("/favicon.ico", 404), ("/v1/state/\(TestChain.bob)/code", 404),
])
func badRequestsAreJSONErrors(path: String, status: Int) {
  let t = TestChain()
  let r = t.http(.get, path)
  #expect(r.status.code == status, "\(path)")
  #expect(json(r)["error"]?["code"] == .number(String(status)))
  #expect(json(r)["error"]?["message"]?.stringValue?.isEmpty == false)
}

@Test func wrongMethodIs405WithAllow() {
  let t = TestChain()
  for path in ["/v1/state/\(TestChain.bob)", "/metrics", "/healthz", "/readyz", "/v1/blocks/latest"] {
    let r = t.http(.post, path, body: "{}")
    #expect(r.status.code == 405, "\(path)")
    #expect(r.headers.contains { $0.name == "Allow" && $0.value == "GET, HEAD" })
    #expect(json(r)["error"]?["code"] == 405)
  }
  #expect(t.http(.delete, "/").status.code == 405)
}

@Test func healthAndReadiness() {
  let t = TestChain()
  #expect(json(t.http(.get, "/healthz")) == ["status": "ok"])
  #expect(json(t.http(.get, "/readyz")) == ["status": "ready", "head": "0x0"])
}

@Test func metricsCountRequestsCallsAndErrors() {
  let t = TestChain()
  _ = t.rpc(#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#)
  _ = t.rpc(#"{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":[]}"#)
  _ = t.http(.get, "/nowhere")
  let r = t.http(.get, "/metrics")
  #expect(r.status.code == 200)
  #expect(r.headers.contains { $0.name == "Content-Type" && $0.value.hasPrefix("text/plain") })
  let text = String(decoding: r.body, as: UTF8.self)
  #expect(text.contains(#"braid_rpc_calls_total{method="eth_chainId"} 1"#))
  #expect(text.contains(#"braid_rpc_errors_total{method="eth_getBalance"} 1"#))
  #expect(text.contains(#"braid_http_requests_total{route="/",status="200"} 2"#))
  #expect(text.contains(#"braid_http_requests_total{route="unmatched",status="404"} 1"#))
  #expect(text.contains(#"braid_http_request_duration_seconds_bucket{route="/""#))
}

@Test func unknownMethodsShareOneMetricsLabel() {
  let t = TestChain()
  for i in 0..<3 { _ = t.rpc(#"{"jsonrpc":"2.0","id":1,"method":"made_up_\#(i)"}"#) }
  let text = String(decoding: t.http(.get, "/metrics").body, as: UTF8.self)
  #expect(text.contains(#"braid_rpc_errors_total{method="other"} 3"#))
  #expect(!text.contains("made_up"))
}
