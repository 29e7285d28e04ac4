/// JSON-RPC error objects: the codes of JSON-RPC 2.0 §5.1 and Ethereum's, with the
/// messages geth sends, because client libraries match on them (ethers maps
/// "nonce too low" to NONCE_EXPIRED, web3.py looks for "execution reverted").
import BraidEVM
import BraidPrimitives

public struct RPCError: Error, Sendable, Equatable, CustomStringConvertible {
  public var code: Int
  public var message: String
  public var data: JSONValue?

  public init(code: Int, message: String, data: JSONValue? = nil) {
    self.code = code
    self.message = message
    self.data = data
  }

  public var description: String { "\(code): \(message)" }

  // JSON-RPC 2.0.
  public static let parseError = RPCError(code: -32700, message: "parse error")
  public static let invalidRequest = RPCError(code: -32600, message: "invalid request")
  public static let emptyBatch = RPCError(code: -32600, message: "empty batch")
  public static let batchTooLarge = RPCError(code: -32600, message: "batch too large")

  public static func methodNotFound(_ method: String) -> RPCError {
    RPCError(code: -32601, message: "the method \(method) does not exist/is not available")
  }

  public static func invalidParams(_ message: String) -> RPCError { RPCError(code: -32602, message: message) }

  /// geth's wording for a parameter that did not decode: `invalid argument 0: ...`.
  public static func invalidArgument(_ index: Int, _ why: String) -> RPCError {
    invalidParams("invalid argument \(index): \(why)")
  }

  public static func internalError(_ cause: String) -> RPCError {
    RPCError(code: -32603, message: "internal server error caused by \(cause)")
  }

  // Ethereum: -32000 is geth's code for everything a node refuses.
  public static func server(_ message: String, data: JSONValue? = nil) -> RPCError {
    RPCError(code: -32000, message: message, data: data)
  }

  public static let headerNotFound = server("header not found")
  public static let unknownAccount = server("unknown account")
  public static let alreadyKnown = server("already known")

  public static func rejected(_ error: TransactionError) -> RPCError { server(error.description) }

  /// EIP-140/EIP-1474: a call that reverted. Code 3 with the revert data; the message
  /// carries the decoded `Error(string)` reason when there is one.
  public static func reverted(_ output: Bytes) -> RPCError {
    let reason = RevertReason.decode(output)
    return RPCError(
      code: 3, message: reason.map { "execution reverted: \($0)" } ?? "execution reverted",
      data: output.isEmpty ? nil : .data(output))
  }

  /// EIP-7966: the transaction is in the pool but no receipt arrived in time.
  public static func syncTimeout(_ hash: Hash32, milliseconds: Int) -> RPCError {
    RPCError(
      code: 4, message: "The transaction was added to the mempool but wasn't processed in \(milliseconds)ms.",
      data: .hash(hash))
  }

  var json: JSONValue {
    var o = JSONObject([("code", .number(String(code))), ("message", .string(message))])
    if let data { o["data"] = data }
    return .object(o)
  }
}

/// Solidity's `Error(string)` revert payload: selector 0x08c379a0, then an ABI-encoded
/// string (offset, length, bytes).
enum RevertReason {
  static func decode(_ output: Bytes) -> String? {
    guard output.count >= 68, output[0] == 0x08, output[1] == 0xc3, output[2] == 0x79, output[3] == 0xa0 else {
      return nil
    }
    let offset = UInt256(bigEndian: output[4..<36])
    guard let start = offset.asInt.map({ 4 + $0 }), start + 32 <= output.count else { return nil }
    let length = UInt256(bigEndian: output[start..<start + 32])
    guard let n = length.asInt, start + 32 + n <= output.count else { return nil }
    return String(validating: output[(start + 32)..<(start + 32 + n)], as: UTF8.self)
  }
}
