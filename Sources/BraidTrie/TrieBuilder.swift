/// The one-pass root computation over a sorted, duplicate-free key array. Every node is
/// encoded straight into one shared RLP buffer at the position its parent needs it: a node
/// is appended, and if its encoding is 32 bytes or longer it is hashed and replaced in
/// place by the 33-byte string of its hash. So no node owns a buffer and
/// the recursion passes index ranges, never slices of keys.
import BraidPrimitives

struct TrieBuilder {
  /// Sorted ascending, no duplicates, no empty values.
  let keys: [Bytes]
  let values: [Bytes]
  private var out = RLPWriter(capacity: 4096)
  /// Scratch for one hex-prefix path, reused across nodes.
  private var path = Bytes()

  init(keys: [Bytes], values: [Bytes]) {
    self.keys = keys
    self.values = values
  }

  mutating func root() -> Hash32 {
    if keys.isEmpty { return Hash32.emptyTrie }
    appendNode(0..<keys.count, depth: 0)
    return out.bytes.withUnsafeBytes { Keccak256.hash($0) }
  }

  /// Nibble `i` of key `k`: the high half of byte i/2 for even i.
  @inline(__always)
  private func nibble(_ k: Int, _ i: Int) -> UInt8 {
    let b = keys[k][i >> 1]
    return i & 1 == 0 ? b >> 4 : b & 0x0f
  }

  @inline(__always)
  private func nibbleCount(_ k: Int) -> Int { keys[k].count * 2 }

  /// Appends the reference to the node for `range`: the node itself when its encoding is
  /// under 32 bytes, otherwise the RLP string of its hash.
  private mutating func appendReference(_ range: Range<Int>, depth: Int) {
    let start = out.bytes.count
    appendNode(range, depth: depth)
    let length = out.bytes.count - start
    if length < 32 { return }
    let h = out.bytes.withUnsafeBytes { Keccak256.hash(UnsafeRawBufferPointer(rebasing: $0[start...])) }
    out.bytes.removeSubrange(start...)
    out.append(hash: h)
  }

  /// Appends the full encoding of the node covering `range`, whose keys all agree on
  /// their first `depth` nibbles.
  private mutating func appendNode(_ range: Range<Int>, depth: Int) {
    let first = range.lowerBound, last = range.upperBound - 1
    if first == last {
      // Leaf: the rest of the key, hex-prefix encoded with the leaf flag, and the value.
      let mark = out.beginList()
      appendHexPrefix(key: first, from: depth, to: nibbleCount(first), leaf: true)
      out.append(bytes: values[first])
      out.endList(mark)
      return
    }
    // In sorted order the first and last keys share the fewest nibbles with each other,
    // so their common prefix is the whole range's.
    var shared = depth
    let limit = min(nibbleCount(first), nibbleCount(last))
    while shared < limit && nibble(first, shared) == nibble(last, shared) { shared += 1 }
    if shared > depth {
      // Extension: the shared nibbles, then the branch below them.
      let mark = out.beginList()
      appendHexPrefix(key: first, from: depth, to: shared, leaf: false)
      appendReference(range, depth: shared)
      out.endList(mark)
      return
    }
    appendBranch(range, depth: depth)
  }

  /// Branch: sixteen child references by next nibble, then the value of the key (at
  /// most one) that ends exactly at this depth, or the empty string.
  private mutating func appendBranch(_ range: Range<Int>, depth: Int) {
    let mark = out.beginList()
    var i = range.lowerBound
    var terminal: Int? = nil
    // A key that ends here is a prefix of the others and therefore sorts first.
    if nibbleCount(i) == depth {
      terminal = i
      i += 1
    }
    for n in 0..<UInt8(16) {
      let start = i
      while i < range.upperBound && nibble(i, depth) == n { i += 1 }
      if start == i {
        out.append(uint: 0)  // the empty string, 0x80
      } else {
        appendReference(start..<i, depth: depth + 1)
      }
    }
    if let t = terminal { out.append(bytes: values[t]) } else { out.append(uint: 0) }
    out.endList(mark)
  }

  /// Hex-prefix encoding (Yellow Paper appendix C) of nibbles `from..<to` of a key, as an
  /// RLP string. The first byte holds two flag bits (leaf, odd length) and, for an odd
  /// length, the first nibble; the rest are packed two per byte.
  private mutating func appendHexPrefix(key k: Int, from: Int, to: Int, leaf: Bool) {
    let odd = (to - from) & 1 == 1
    var flags: UInt8 = leaf ? 0x20 : 0x00
    var i = from
    if odd {
      flags |= 0x10 | nibble(k, i)
      i += 1
    }
    path.removeAll(keepingCapacity: true)
    path.append(flags)
    while i < to {
      path.append(nibble(k, i) << 4 | nibble(k, i + 1))
      i += 2
    }
    out.append(bytes: path)
  }
}
