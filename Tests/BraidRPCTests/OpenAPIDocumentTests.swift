import BraidHTTP
import BraidRPC
import Foundation
import Testing

/// openapi.yaml and the router describe the same API: the same paths with the same
/// methods, every documented operation is served, and the JSON-RPC description lists
/// every method the dispatcher knows.
private struct Document {
  var operations: Set<String> = []
  var text = ""

  init() throws {
    // Tests/BraidRPCTests/ -> the repository root.
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    text = try String(contentsOf: root.appendingPathComponent("openapi.yaml"), encoding: .utf8)
    var inPaths = false
    var path: String?
    for line in text.split(separator: "\n") {
      if !line.hasPrefix(" ") {
        inPaths = line == "paths:"
        continue
      }
      guard inPaths else { continue }
      if line.hasPrefix("  /") && !line.hasPrefix("   ") && line.hasSuffix(":") {
        path = String(line.dropFirst(2).dropLast())
      } else if let path, line.hasPrefix("    ") && !line.hasPrefix("     ") && line.hasSuffix(":") {
        let key = line.trimmingCharacters(in: .whitespaces).dropLast()
        if ["get", "put", "post", "delete", "options", "head", "patch", "trace"].contains(String(key)) {
          operations.insert("\(key) \(path)")
        }
      }
    }
  }
}

@Test func documentAndRouterListTheSameOperations() throws {
  let doc = try Document()
  let served = Set(RPCService<InMemoryChain>.routes.map { "\($0.method) \($0.path)" })
  #expect(doc.text.hasPrefix("openapi: 3.1"))
  #expect(!doc.operations.isEmpty)
  #expect(doc.operations == served)
}

@Test func everyDocumentedOperationIsServedAndOthersAre405() throws {
  let doc = try Document()
  let t = TestChain()
  let hash = try #require(try? t.chain.mine(TestChain.signed(nonce: 0, to: TestChain.bob)).get()).transactionHash
  for operation in doc.operations {
    let parts = operation.split(separator: " ", maxSplits: 1)
    let path = String(parts[1])
      .replacingOccurrences(of: "{address}", with: TestChain.bob.description)
      .replacingOccurrences(of: "{slot}", with: "0x1")
      .replacingOccurrences(of: "{txHash}", with: hash.description)
      .replacingOccurrences(of: "{block}", with: "latest")
    let method: HTTPMethod = parts[0] == "post" ? .post : .get
    let body = method == .post ? #"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"# : ""
    #expect(t.http(method, path, body: body).status.code == 200, "\(operation)")
    let other: HTTPMethod = method == .post ? .get : .post
    #expect(t.http(other, path, body: body).status.code == 405, "\(other) \(path)")
  }
}

@Test func documentNamesEveryJSONRPCMethod() throws {
  let doc = try Document()
  for method in RPCService<InMemoryChain>.methods {
    #expect(doc.text.contains(method), "\(method) is not in openapi.yaml")
  }
}
