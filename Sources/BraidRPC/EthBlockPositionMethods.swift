/// The smaller block methods standard clients still call: a transaction by its position in a
/// block, the always-empty uncle queries (a post-merge chain has no ommers), the block
/// beneficiary and the blob base fee. geth answers them all; web3.py, viem and cast expose
/// them, and a tool that meets `method not found` on one of them gives up on the node.
import BraidEVM
import BraidPrimitives

extension EthAPI {
  /// Answers the methods of this file; nil for any other method.
  func blockPositionCall(_ method: String, _ p: Params) throws(RPCError) -> CallOutcome? {
    switch method {
    case "eth_getTransactionByBlockNumberAndIndex":
      try p.expect(required: 2, max: 2)
      return .value(transaction(in: try findBlock(p.block(0)), at: try p.uint64(1)))
    case "eth_getTransactionByBlockHashAndIndex":
      try p.expect(required: 2, max: 2)
      return .value(transaction(in: backend.block(hash: try p.hash(0)), at: try p.uint64(1)))
    case "eth_getUncleCountByBlockNumber":
      try p.expect(required: 1, max: 1)
      return .value(try findBlock(p.block(0)) == nil ? .null : .quantity(0))
    case "eth_getUncleCountByBlockHash":
      try p.expect(required: 1, max: 1)
      return .value(backend.block(hash: try p.hash(0)) == nil ? .null : .quantity(0))
    case "eth_getUncleByBlockNumberAndIndex":
      try p.expect(required: 2, max: 2)
      _ = try p.block(0)
      _ = try p.uint64(1)
      return .value(.null)
    case "eth_getUncleByBlockHashAndIndex":
      try p.expect(required: 2, max: 2)
      _ = try p.hash(0)
      _ = try p.uint64(1)
      return .value(.null)
    case "eth_coinbase":
      // The address the node's blocks credit their fees to, as anvil answers.
      try p.expect(required: 0, max: 0)
      return .value(.address(try head().header.coinbase))
    case "eth_blobBaseFee":
      // Braid's blocks carry no blobs, so the excess blob gas stays 0 and the blob base
      // fee at its minimum of 1 wei (EIP-4844), as eth_feeHistory reports it.
      try p.expect(required: 0, max: 0)
      return .value(.quantity(1))
    default:
      return nil
    }
  }

  static var blockPositionMethods: [String] {
    [
      "eth_getTransactionByBlockNumberAndIndex", "eth_getTransactionByBlockHashAndIndex",
      "eth_getUncleCountByBlockNumber", "eth_getUncleCountByBlockHash", "eth_getUncleByBlockNumberAndIndex",
      "eth_getUncleByBlockHashAndIndex", "eth_coinbase", "eth_blobBaseFee",
    ]
  }

  /// The transaction at `index` of `block`; null when either does not exist (geth).
  private func transaction(in block: BlockRecord?, at index: UInt64) -> JSONValue {
    guard let block, index < block.transactionHashes.count else { return .null }
    return backend.transaction(hash: block.transactionHashes[Int(index)]).map(RPCObjects.transaction) ?? .null
  }
}
