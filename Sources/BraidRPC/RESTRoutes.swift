/// The small REST surface under `/v1` (described in openapi.yaml): state, storage,
/// receipts, transaction status and blocks, as JSON with the same encodings as JSON-RPC.
/// Malformed path parameters are 400 and missing objects 404, both as JSON errors.
import BraidHTTP
import BraidPrimitives

struct RESTRoutes<Backend: ChainBackend>: Sendable {
  let api: EthAPI<Backend>

  var backend: Backend { api.backend }

  /// `/v1/state/{address}`: balance, nonce and code hash at the head.
  func state(address: Substring) -> HTTPResponse {
    guard let a = parseAddress(address) else { return badParameter("address", address) }
    return withHeadState { head, s in
      let code = s.code(of: a)
      return [
        "address": .address(a), "balance": .quantity(s.balance(of: a)), "nonce": .quantity(s.nonce(of: a)),
        "codeHash": .hash(code.hash), "blockNumber": .quantity(head.header.number),
      ]
    }
  }

  /// `/v1/state/{address}/storage/{slot}`: one storage word at the head.
  func storage(address: Substring, slot: Substring) -> HTTPResponse {
    guard let a = parseAddress(address) else { return badParameter("address", address) }
    guard let k = parseSlot(slot) else { return badParameter("slot", slot) }
    return withHeadState { head, s in
      [
        "address": .address(a), "slot": .hash(Hash32(word: k)), "value": .hash(Hash32(word: s.storage(of: a, slot: k))),
        "blockNumber": .quantity(head.header.number),
      ]
    }
  }

  func receipt(hash: Substring) -> HTTPResponse {
    guard let h = parseHash(hash) else { return badParameter("transaction hash", hash) }
    guard let r = backend.receipt(hash: h) else { return notFound("no receipt for transaction \(h)") }
    return Self.json(RPCObjects.receipt(r))
  }

  /// `/v1/transactions/{txHash}`: pending, included (with its receipt) or rejected with the
  /// reason.
  func transaction(hash: Substring) -> HTTPResponse {
    guard let h = parseHash(hash) else { return badParameter("transaction hash", hash) }
    switch backend.status(ofTransaction: h) {
    case .unknown:
      return notFound("unknown transaction \(h)")
    case .pending(let tx):
      return Self.json(["hash": .hash(h), "status": "pending", "transaction": RPCObjects.transaction(tx)])
    case .included(let tx, let receipt):
      return Self.json([
        "hash": .hash(h), "status": "included", "transaction": RPCObjects.transaction(tx),
        "receipt": RPCObjects.receipt(receipt),
      ])
    case .rejected(let reason):
      return Self.json(["hash": .hash(h), "status": "rejected", "reason": .string(reason)])
    }
  }

  /// `/v1/blocks/{number|latest}`: decimal or 0x-hex numbers, or a tag.
  func block(_ id: Substring) -> HTTPResponse {
    let tag: BlockTag
    switch id {
    case "latest", "pending", "safe", "finalized": tag = .latest
    case "earliest": tag = .earliest
    default:
      if id.hasPrefix("0x"), let n = UInt64(id.dropFirst(2), radix: 16) {
        tag = .number(n)
      } else if let n = UInt64(id) {
        tag = .number(n)
      } else {
        return badParameter("block", id)
      }
    }
    guard let b = backend.block(number: api.number(of: tag)) else { return notFound("unknown block \(id)") }
    return Self.json(api.blockObject(b, full: false))
  }

  // MARK: Helpers

  private func withHeadState(_ body: (BlockRecord, Backend.State) -> JSONValue) -> HTTPResponse {
    guard let head = backend.block(number: backend.headNumber()), let s = backend.state(atBlock: head.header.number)
    else { return HTTPResponse.jsonError(.serviceUnavailable, message: "state not available") }
    return Self.json(body(head, s))
  }

  private func parseAddress(_ s: Substring) -> Address? { try? HexParam.address(.string(String(s))) }
  private func parseHash(_ s: Substring) -> Hash32? { try? HexParam.hash(.string(String(s))) }

  /// A slot as 0x-hex (up to 32 bytes) or decimal.
  private func parseSlot(_ s: Substring) -> UInt256? {
    if s.hasPrefix("0x") || s.hasPrefix("0X") {
      let digits = s.utf8.dropFirst(2)
      guard !digits.isEmpty, digits.count <= 64 else { return nil }
      var v = UInt256.zero
      for c in digits {
        guard let n = HexParam.nibble(c) else { return nil }
        v = v << 4 | UInt256(UInt64(n))
      }
      return v
    }
    guard !s.isEmpty, s.count <= 78, s.allSatisfy(\.isASCII), s.allSatisfy(\.isNumber) else { return nil }
    return try? UInt256(parsing: String(s))
  }

  private func badParameter(_ what: String, _ value: Substring) -> HTTPResponse {
    HTTPResponse.jsonError(.badRequest, message: "invalid \(what) '\(value.prefix(80))'")
  }

  private func notFound(_ message: String) -> HTTPResponse { HTTPResponse.jsonError(.notFound, message: message) }

  static func json(_ value: JSONValue, status: HTTPStatus = .ok) -> HTTPResponse {
    var w = JSONWriter()
    w.write(value)
    return HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: w.bytes)
  }
}
