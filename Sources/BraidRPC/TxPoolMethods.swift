/// geth's `txpool` namespace, which anvil serves too: how many transactions wait in the
/// pool and which, per sender and nonce. It answers "why is my transaction not mined?": one
/// in `queued` waits behind a nonce gap, one in `pending` for the next block.
import BraidPrimitives

extension EthAPI {
  static var txPoolMethods: [String] { ["txpool_status", "txpool_content", "txpool_contentFrom"] }

  /// Answers the `txpool_` methods; nil for any other method.
  func txPoolCall(_ method: String, _ p: Params) throws(RPCError) -> CallOutcome? {
    switch method {
    case "txpool_status":
      try p.expect(required: 0, max: 0)
      let content = backend.txPoolContent(from: nil)
      return .value([
        "pending": .quantity(content.pending.values.reduce(0) { $0 + $1.count }),
        "queued": .quantity(content.queued.values.reduce(0) { $0 + $1.count }),
      ])
    case "txpool_content":
      try p.expect(required: 0, max: 0)
      let content = backend.txPoolContent(from: nil)
      return .value(["pending": Self.bySender(content.pending), "queued": Self.bySender(content.queued)])
    case "txpool_contentFrom":
      try p.expect(required: 1, max: 1)
      let sender = try p.address(0)
      let content = backend.txPoolContent(from: sender)
      return .value([
        "pending": Self.byNonce(content.pending[sender] ?? [:]),
        "queued": Self.byNonce(content.queued[sender] ?? [:]),
      ])
    default:
      return nil
    }
  }

  /// Senders in address order, each with its transactions by nonce.
  private static func bySender(_ groups: [Address: [UInt64: TransactionRecord]]) -> JSONValue {
    .object(JSONObject(groups.keys.sorted().map { ($0.description, byNonce(groups[$0]!)) }))
  }

  /// Keyed by the nonce in decimal, as geth keys them, in nonce order.
  private static func byNonce(_ txs: [UInt64: TransactionRecord]) -> JSONValue {
    .object(JSONObject(txs.keys.sorted().map { (String($0), RPCObjects.transaction(txs[$0]!)) }))
  }
}
