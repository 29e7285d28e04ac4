/// eth_getProof (EIP-1186): an account and some of its storage slots with the trie nodes
/// that prove them against a block's state root, so that a client can check what it reads
/// without trusting the node: bridges, light clients, anyone auditing a balance.
import BraidEVM
import BraidExecution
import BraidPrimitives

extension EthAPI {
  /// Slots per request; geth sets no bound, but each costs a walk of a storage trie.
  static var maxProofSlots: Int { 1024 }

  func getProof(_ p: Params) throws(RPCError) -> CallOutcome {
    try p.expect(required: 2, max: 3)
    let address = try p.address(0)
    guard case .array(let keyValues)? = p[1] else {
      throw .invalidArgument(1, "json: cannot unmarshal \(HexParam.kind(p.values[1])) into Go value of type []string")
    }
    guard keyValues.count <= Self.maxProofSlots else {
      throw .invalidArgument(1, "too many storage keys, at most \(Self.maxProofSlots)")
    }
    var keys: [(text: String, slot: UInt256)] = []
    for v in keyValues {
      guard case .string(let text) = v else { throw .invalidArgument(1, "json: cannot unmarshal non-string into Go value of type string") }
      keys.append((text, try Self.slotKey(text, argument: 1)))
    }
    let block = try resolve(p.block(2))
    let state = try self.state(.hash(block.hash))
    guard
      let proof = backend.stateProof(
        of: address, slots: keys.map(\.slot), atBlock: block.header.number, stateRoot: block.header.stateRoot)
    else {
      throw .server("proofs of block \(block.header.number) are not available: this node proves its latest state only")
    }
    let balance = state.balance(of: address)
    let nonce = state.nonce(of: address)
    let code = state.code(of: address)
    // An account that does not exist has a zero code hash in geth's answer.
    let exists = !balance.isZero || nonce != 0 || !code.bytes.isEmpty || proof.storageRoot != .emptyTrie
    var storage: [JSONValue] = []
    for (k, key) in keys.enumerated() {
      storage.append(
        .object(
          JSONObject([
            ("key", .string(key.text)),
            ("value", .quantity(state.storage(of: address, slot: key.slot))),
            ("proof", .array(proof.slots[k].map { .data($0) })),
          ])))
    }
    return .value(
      .object(
        JSONObject([
          ("address", .address(address)),
          ("accountProof", .array(proof.account.map { .data($0) })),
          ("balance", .quantity(balance)),
          ("codeHash", .hash(exists ? code.hash : .zero)),
          ("nonce", .quantity(nonce)),
          ("storageHash", .hash(proof.storageRoot)),
          ("storageProof", .array(storage)),
        ])))
  }
}
