/// `braid bench json`: what one eth_chainId request costs in JSON work, with Braid's own
/// codec against Foundation's JSONSerialization, and what the whole handler costs (routing,
/// JSON-RPC dispatch, metrics) without sockets. The numbers behind BraidRPC's choice of a
/// hand-written codec for the hot path.
import ArgumentParser
import BraidHTTP
import BraidRPC
import Foundation

struct BenchJSONCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "json", abstract: "Time JSON-RPC request decoding and response encoding for eth_chainId.")

  @Option(help: "Iterations per measurement.")
  var iterations = 200_000

  @Flag(help: "One JSON object instead of text lines.")
  var json = false

  func validate() throws {
    guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1") }
  }

  func run() throws {
    let request = Array(#"{"jsonrpc":"2.0","method":"eth_chainId","params":[],"id":1}"#.utf8)
    let requestData = Data(request)

    let braid = Self.nanoseconds(iterations) {
      guard case .object(let o) = try! JSONParser.parse(request) else { fatalError("not an object") }
      var w = JSONWriter(capacity: 64)
      w.write(["jsonrpc": "2.0", "id": o["id"] ?? .null, "result": "0x539"])
      return w.bytes.count
    }
    let foundation = Self.nanoseconds(iterations) {
      let o = try! JSONSerialization.jsonObject(with: requestData) as! [String: Any]
      let out = try! JSONSerialization.data(withJSONObject: ["jsonrpc": "2.0", "id": o["id"] ?? NSNull(), "result": "0x539"])
      return out.count
    }
    let service = RPCService(backend: InMemoryChain())
    let httpRequest = HTTPRequest(
      method: .post, target: "/", headers: HTTPHeaders([("Host", "bench"), ("Content-Type", "application/json")]),
      body: request)
    let responder = HTTPResponder { _ in }
    let handler = Self.nanoseconds(iterations) {
      guard case .response(let r) = service.handle(httpRequest, responder: responder) else { fatalError("deferred") }
      return r.body.count
    }
    if json {
      print(
        #"{"iterations":\#(iterations),"braid_json_ns":\#(braid),"foundation_json_ns":\#(foundation),"handler_ns":\#(handler)}"#)
    } else {
      print("eth_chainId JSON, Braid's codec:        \(braid) ns per request (parse + encode)")
      print("eth_chainId JSON, JSONSerialization:    \(foundation) ns per request (parse + encode)")
      print("eth_chainId whole handler (no sockets): \(handler) ns per request")
    }
  }

  /// Median of five runs of `iterations` calls, in nanoseconds per call.
  private static func nanoseconds(_ iterations: Int, _ body: () -> Int) -> Int {
    var sink = 0
    var samples: [Double] = []
    for _ in 0..<5 {
      let elapsed = ContinuousClock().measure { for _ in 0..<iterations { sink &+= body() } }
      let (s, atto) = elapsed.components
      samples.append((Double(s) * 1e9 + Double(atto) * 1e-9) / Double(iterations))
    }
    precondition(sink != 0)
    return Int(samples.sorted()[2].rounded())
  }
}
