/// Merkle-Patricia trie roots for state, storage, transactions and receipts.
///
/// Roots are computed from the complete set of key/value pairs in one pass (Yellow Paper
/// appendix D; execution-specs `trie.py`, `patricialize`): the pairs are sorted by key, and
/// each node covers a contiguous range of that sorted array, all of whose keys share the
/// node's path. A range of one key is a leaf; a range whose keys share more nibbles is an
/// extension over the node for the longer prefix; otherwise a branch splits the range by
/// the next nibble, which in sorted order yields 16 contiguous sub-ranges. Node encodings
/// shorter than 32 bytes are embedded in their parent, longer ones are referenced by their
/// Keccak-256; the root is always hashed.
import BraidPrimitives

public enum MerklePatriciaTrie {
  /// The root of the trie holding `pairs`. Keys may come in any order. When a key occurs
  /// more than once the last occurrence wins, and an empty value means "absent", so a
  /// sequence of inserts and deletes can be passed as is.
  public static func root(_ pairs: [(key: Bytes, value: Bytes)]) -> Hash32 {
    build(pairs, by: { $0.lexicographicallyPrecedes($1) }, keyBytes: { $0 })
  }

  /// The root of a "secure" trie, whose keys are the Keccak-256 of the given keys (the
  /// state and storage tries, so that an attacker cannot choose deep paths).
  public static func secureRoot(_ pairs: [(key: Bytes, value: Bytes)]) -> Hash32 {
    root(hashedKeys: pairs.map { (Keccak256.hash($0.key), $0.value) })
  }

  /// The root of a trie whose 32-byte keys are already hashed. Same rules as `root`:
  /// the last of duplicate keys wins and empty values are absent.
  public static func root(hashedKeys pairs: [(key: Hash32, value: Bytes)]) -> Hash32 {
    // Hash32 compares as a 256-bit integer, which is the order of its big-endian bytes
    // and much cheaper than comparing arrays.
    build(pairs, by: <, keyBytes: { $0.bytes })
  }

  /// The transactions or receipts root of a block: item i is stored under the key
  /// RLP(i), and the value is the item's bytes (the typed envelope for typed items).
  public static func orderedRoot(_ items: [Bytes]) -> Hash32 {
    // RLP(i) sorts as 0x01..0x7f (i = 1...127), 0x80 (i = 0), then 0x81.. (i >= 128, by
    // length then value), so build the pairs and let `root` sort them.
    root(items.enumerated().map { (RLP.encode(uint: UInt64($0.offset)), $0.element) })
  }

  /// Sorts, keeps the last of equal keys, drops empty values, and builds. Positions are
  /// sorted rather than pairs, tie-breaking on position, so that "last" does not depend
  /// on the sort being stable.
  private static func build<Key: Equatable>(
    _ pairs: [(key: Key, value: Bytes)], by less: (Key, Key) -> Bool, keyBytes: (Key) -> Bytes
  ) -> Hash32 {
    let order = pairs.indices.sorted { a, b in
      let ka = pairs[a].key, kb = pairs[b].key
      return ka == kb ? a < b : less(ka, kb)
    }
    var keys: [Bytes] = [], values: [Bytes] = []
    keys.reserveCapacity(pairs.count)
    values.reserveCapacity(pairs.count)
    for (n, i) in order.enumerated() {
      if n + 1 < order.count && pairs[order[n + 1]].key == pairs[i].key { continue }
      if pairs[i].value.isEmpty { continue }
      keys.append(keyBytes(pairs[i].key))
      values.append(pairs[i].value)
    }
    var builder = TrieBuilder(keys: keys, values: values)
    return builder.root()
  }
}
