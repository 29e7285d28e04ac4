/// eth_getProof (EIP-1186): an account and some of its storage slots with the trie nodes
/// that prove them against a block's state root, so that a client can check what it reads
/// without trusting the node: bridges, light clients, anyone auditing a balance.
import BraidEVM
import BraidExecution
import BraidPrimitives

#if canImport(Glibc)
  import Glibc
#endif

extension EthAPI {
  static func moves(_ tag: BlockTag) -> Bool {
    switch tag {
    case .latest, .pending, .safe, .finalized: return true
    case .earliest, .number: return false
    }
  }

  /// Slots per request; geth sets no bound, but each costs a walk of a storage trie.
  static var maxProofSlots: Int { 1024 }

  func getProof(_ p: Params) throws(RPCError) -> CallOutcome {
    try p.expect(required: 2, max: 3)
    let address = try p.address(0)
    guard case .array(let keyValues)? = p[1] else {
      let kind = HexParam.kind(p.values[1])
      throw .invalidArgument(1, "json: cannot unmarshal \(kind) into Go value of type []string")
    }
    guard keyValues.count <= Self.maxProofSlots else {
      throw .invalidArgument(1, "too many storage keys, at most \(Self.maxProofSlots)")
    }
    var keys: [(text: String, slot: UInt256)] = []
    for v in keyValues {
      guard case .string(let text) = v else {
        throw .invalidArgument(1, "json: cannot unmarshal non-string into Go value of type string")
      }
      keys.append((text, try Self.slotKey(text, argument: 1)))
    }
    let selector = try p.block(2)
    var block = try resolve(selector)
    var proof = backend.stateProof(
      of: address, slots: keys.map(\.slot), atBlock: block.header.number, stateRoot: block.header.stateRoot)
    // A node proves only the state its tries hold, which moves on as each block is made:
    // `latest` may have just been overtaken by a block about to be published. A moving tag
    // is resolved again for a few milliseconds; a fixed block is not retried.
    var attempts = 0
    while proof == nil && attempts < 20, case .tag(let tag) = selector, Self.moves(tag) {
      attempts += 1
      usleep(1000)
      block = try resolve(selector)
      proof = backend.stateProof(
        of: address, slots: keys.map(\.slot), atBlock: block.header.number, stateRoot: block.header.stateRoot)
    }
    guard let proof else {
      throw .server(
        "proofs of block \(block.header.number) are not available: this node proves its latest state only")
    }
    let state = try self.state(.hash(block.hash))
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
