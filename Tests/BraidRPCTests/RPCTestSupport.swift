import BraidEVM
import BraidHTTP
import BraidPrimitives
import BraidRPC
import Glibc
import Synchronization
import Testing

/// A development chain with two funded keys and a few hand-assembled contracts, and a way
/// to call the service the way the server does, without sockets.
struct TestChain {
  /// anvil's and hardhat's first two development keys.
  static let key0 = try! Hex.decode("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
  static let key1 = try! Hex.decode("59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")
  static let alice = TransactionSigner.address(privateKey: key0)!
  static let bob = TransactionSigner.address(privateKey: key1)!
  static let carol = try! Address(hex: "0x00000000000000000000000000000000000c0401")

  /// Returns the word 42.
  static let answer = try! Address(hex: "0x00000000000000000000000000000000000a0001")
  /// Reverts with `Error("nope")`.
  static let refuser = try! Address(hex: "0x00000000000000000000000000000000000a0002")
  /// Emits LOG1(topic 0x77, data 0xaa..), writes slot 1 = 5.
  static let logger = try! Address(hex: "0x00000000000000000000000000000000000a0003")

  static let ether = UInt256(1_000_000_000_000_000_000)

  let chain: InMemoryChain
  let service: RPCService<InMemoryChain>

  init(configuration: RPCConfiguration = RPCConfiguration(), devKeys: [Bytes] = [TestChain.key0]) {
    let revertPayload: Bytes =
      [0x08, 0xc3, 0x79, 0xa0] + UInt256(32).bigEndianBytes + UInt256(4).bigEndianBytes
      + Array("nope".utf8) + [UInt8](repeating: 0, count: 28)
    // CODECOPY the payload that follows these 12 bytes of code, then REVERT with it.
    let refuserCode: Bytes = [0x60, 0x64, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, 0x64, 0x60, 0x00, 0xfd] + revertPayload
    let loggerCode: Bytes = [
      0x60, 0xaa, 0x60, 0x00, 0x52,  // MSTORE(0, 0xaa)
      0x60, 0x77, 0x60, 0x20, 0x60, 0x00, 0xa1,  // LOG1(0, 32, topic 0x77)
      0x60, 0x05, 0x60, 0x01, 0x55, 0x00,  // SSTORE(1, 5); STOP
    ]
    let alloc: [Address: AccountState] = [
      Self.alice: AccountState(balance: Self.ether &* UInt256(100)),
      Self.bob: AccountState(balance: Self.ether &* UInt256(100)),
      Self.answer: AccountState(code: Code([0x60, 0x2a, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3])),
      Self.refuser: AccountState(code: Code(refuserCode)),
      Self.logger: AccountState(code: Code(loggerCode), storage: [UInt256(7): UInt256(9)]),
    ]
    chain = InMemoryChain(.init(chainId: 1337, alloc: alloc, devKeys: devKeys))
    service = RPCService(backend: chain, configuration: configuration)
  }

  /// A signed EIP-1559 transaction from `key`.
  static func signed(
    key: Bytes = key0, nonce: UInt64, to: Address?, value: UInt256 = .zero, data: Bytes = [], gas: UInt64 = 100_000,
    maxFee: UInt256 = UInt256(10_000_000_000), tip: UInt256 = UInt256(1_000_000_000), chainId: UInt64 = 1337
  ) -> Bytes {
    let tx = Transaction(
      type: 2, chainId: chainId, nonce: nonce, gasLimit: gas, maxFeePerGas: maxFee, maxPriorityFeePerGas: tip, to: to,
      value: value, data: data, sender: .zero)
    return try! TransactionSigner.sign(tx, privateKey: key)
  }

  /// The HTTP response to a request, answered synchronously or through the responder.
  func http(_ method: HTTPMethod, _ target: String, body: String = "", contentType: String? = "application/json")
    -> HTTPResponse
  {
    var headers = HTTPHeaders([("Host", "test")])
    if let contentType { headers.add(name: "Content-Type", value: contentType) }
    let request = HTTPRequest(method: method, target: target, headers: headers, body: Array(body.utf8))
    let box = ResponseBox()
    switch service.handle(request, responder: HTTPResponder { box.set($0) }) {
    case .response(let r): return r
    case .deferred:
      for _ in 0..<1000 {
        if let r = box.get() { return r }
        usleepMicro(1000)
      }
      Issue.record("no deferred response")
      return HTTPResponse(status: .internalServerError)
    }
  }

  /// POSTs a JSON-RPC body and parses the answer.
  func rpc(_ body: String) -> JSONValue {
    let r = http(.post, "/", body: body)
    #expect(r.status.code == 200)
    if r.body.isEmpty { return .null }
    return (try? JSONParser.parse(r.body)) ?? .string("unparsable: \(String(decoding: r.body, as: UTF8.self))")
  }

  /// Calls one method; the result, or the error object.
  func call(_ method: String, _ params: String = "[]") -> (result: JSONValue?, error: JSONObject?) {
    let response = rpc(#"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":\#(params)}"#)
    guard case .object(let o) = response else { return (nil, nil) }
    return (o["result"], o["error"]?.objectValue)
  }

  func result(_ method: String, _ params: String = "[]") -> JSONValue? {
    let (r, e) = call(method, params)
    if let e { Issue.record("\(method) failed: \(e.members)") }
    return r
  }
}

final class ResponseBox: Sendable {
  private let value = Mutex<HTTPResponse?>(nil)
  func set(_ r: HTTPResponse) { value.withLock { $0 = r } }
  func get() -> HTTPResponse? { value.withLock { $0 } }
}

func usleepMicro(_ us: UInt32) {
  var ts = timespec(tv_sec: 0, tv_nsec: Int(us) * 1000)
  nanosleep(&ts, nil)
}

extension JSONObject {
  var code: Int? { self["code"].flatMap { if case .number(let n) = $0 { return Int(n) } else { return nil } } }
  var message: String? { self["message"]?.stringValue }
}

extension JSONValue {
  subscript(key: String) -> JSONValue? { objectValue?[key] }
}

func hex(_ s: String) -> String { "\"\(s)\"" }
