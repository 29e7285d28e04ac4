/// Checking an EIP-1186 proof (the node list of `IncrementalTrie.proof(for:)` or of any
/// client's `eth_getProof`) against a root hash, from the Yellow Paper's definition of the
/// trie alone: each node must be what its parent references (by hash, or embedded), and the
/// walk must end at the key's value or show that the key is absent. Independent of the
/// encoder that builds proofs, so that each checks the other.
import BraidPrimitives

public enum TrieProofError: Error, Equatable, Sendable {
  case badNode(String)
}

public enum TrieProof {
  /// The value `proof` proves for `key` under `root`, nil when it proves the key absent.
  /// Throws when the proof does not hold together.
  public static func verify(root: Hash32, key: Hash32, proof: [Bytes]) throws(TrieProofError) -> Bytes? {
    let path = key.bytes.flatMap { [$0 >> 4, $0 & 0x0f] }
    var depth = 0
    var next = 0
    // What the parent points at: a hash to find as the next node, or an embedded node.
    var expected: RLPItem = .bytes(root.bytes)
    if root == .emptyTrie && proof.isEmpty { return nil }
    while true {
      let node: RLPItem
      switch expected {
      case .bytes(let hash) where hash.isEmpty:
        return try end(next, proof)
      case .bytes(let hash):
        guard hash.count == 32, next < proof.count, Keccak256.hash(proof[next]).bytes == hash else {
          throw .badNode("node \(next) does not hash to its reference")
        }
        do { node = try RLP.decode(proof[next]) } catch { throw .badNode("node \(next) is not RLP: \(error)") }
        next += 1
      case .list:
        node = expected
      }
      guard case .list(let items) = node else { throw .badNode("a node is not a list") }
      if items.count == 17 {
        guard depth < 64 else { throw .badNode("a branch below the key's length") }
        expected = items[Int(path[depth])]
        depth += 1
        continue
      }
      guard items.count == 2, case .bytes(let encodedPath) = items[0] else {
        throw .badNode("not a trie node")
      }
      let (part, leaf) = try decodePath(encodedPath)
      let matches = depth + part.count <= 64 && Array(path[depth..<depth + part.count]) == part
      if leaf {
        guard matches && depth + part.count == 64 else { return try end(next, proof) }
        guard case .bytes(let value) = items[1] else { throw .badNode("a leaf's value is a list") }
        _ = try end(next, proof)
        return value
      }
      guard matches else { return try end(next, proof) }
      depth += part.count
      expected = items[1]
    }
  }

  /// Where the walk stops, the proof must end too.
  private static func end(_ next: Int, _ proof: [Bytes]) throws(TrieProofError) -> Bytes? {
    guard next == proof.count else { throw .badNode("\(proof.count - next) nodes past the end of the path") }
    return nil
  }

  /// Hex-prefix decoding: a path's nibbles and whether it ends in a leaf.
  private static func decodePath(_ encoded: Bytes) throws(TrieProofError) -> (nibbles: [UInt8], leaf: Bool) {
    guard let first = encoded.first, first >> 4 <= 3 else { throw .badNode("bad hex-prefix path") }
    let flag = first >> 4
    var out: [UInt8] = flag & 1 == 1 ? [first & 0x0f] : []
    for b in encoded.dropFirst() { out += [b >> 4, b & 0x0f] }
    return (out, flag >= 2)
  }
}
