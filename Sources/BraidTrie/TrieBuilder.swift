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

  /// By key position, the hash of its leaf node when `hashLeavesAhead` worked it out;
  /// empty when it did not run.
  private var leafHashes: [Hash32?] = []
  private let fourWay: Bool

  init(keys: [Bytes], values: [Bytes], fourWay: Bool = FourWayKeccak.available) {
    self.keys = keys
    self.values = values
    self.fourWay = fourWay
  }

  mutating func root() -> Hash32 {
    if keys.isEmpty { return Hash32.emptyTrie }
    if fourWay && keys.count >= 8 { hashLeavesAhead() }
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
    if range.count == 1 && !leafHashes.isEmpty, let h = leafHashes[range.lowerBound] {
      out.append(hash: h)
      return
    }
    let start = out.bytes.count
    appendNode(range, depth: depth)
    let length = out.bytes.count - start
    if length < 32 { return }
    let h = out.bytes.withUnsafeBytes { Keccak256.hash(UnsafeRawBufferPointer(rebasing: $0[start...])) }
    out.bytes.removeSubrange(start...)
    out.append(hash: h)
  }

  /// Hashes the leaf nodes four at a time (`CKeccakX4`) before the pass, which would
  /// otherwise hash them one by one as it reaches them: with receipts and transactions as
  /// values, the leaves are most of a root's Keccak blocks. A leaf's place needs no pass:
  /// its branch sits at the most nibbles the key shares with a neighbour in sorted order,
  /// so the leaf's path starts one nibble below that.
  private mutating func hashLeavesAhead() {
    let n = keys.count
    leafHashes = Array(repeating: nil, count: n)
    let stride = Self.groupBlocks * Keccak256.blockSize
    var groups = [UInt8](repeating: 0, count: Self.groupBlocks * 4 * stride)
    var waiting = Array(repeating: (keys: (0, 0, 0, 0), lengths: (UInt(0), UInt(0), UInt(0), UInt(0)), count: 0), count: Self.groupBlocks)
    var shared = [Int](repeating: 0, count: n + 1)
    for k in 1..<n { shared[k] = commonNibbles(k - 1, k) }
    groups.withUnsafeMutableBytes { buffer in
      let base = buffer.baseAddress!
      for k in 0..<n {
        let depth = max(shared[k], shared[k + 1]) + 1
        // A key that is a prefix of its neighbour ends at a branch, not in a leaf.
        if depth > nibbleCount(k) { continue }
        out.bytes.removeAll(keepingCapacity: true)
        let mark = out.beginList()
        appendHexPrefix(key: k, from: depth, to: nibbleCount(k), leaf: true)
        out.append(bytes: values[k])
        out.endList(mark)
        let length = out.bytes.count
        let b = length / Keccak256.blockSize
        // Under 32 bytes a leaf is embedded, not hashed; long ones are left to the pass.
        if length < 32 || b >= Self.groupBlocks { continue }
        let group = base + 4 * b * stride
        let slot = waiting[b].count
        out.bytes.withUnsafeBytes { (group + slot * stride).copyMemory(from: $0.baseAddress!, byteCount: length) }
        withUnsafeMutableBytes(of: &waiting[b].keys) { $0.storeBytes(of: k, toByteOffset: 8 * slot, as: Int.self) }
        withUnsafeMutableBytes(of: &waiting[b].lengths) {
          $0.storeBytes(of: UInt(length), toByteOffset: 8 * slot, as: UInt.self)
        }
        waiting[b].count += 1
        guard waiting[b].count == 4 else { continue }
        let hashes = FourWayKeccak.hash(group, stride: stride, lengths: waiting[b].lengths)
        withUnsafeBytes(of: waiting[b].keys) { keys in
          for j in 0..<4 { leafHashes[keys.load(fromByteOffset: 8 * j, as: Int.self)] = FourWayKeccak.element(j, of: hashes) }
        }
        waiting[b].count = 0
      }
    }
    // Leaves of a last, partial four are hashed by the pass.
    out.bytes.removeAll(keepingCapacity: true)
  }

  /// Leaves of up to this many Keccak blocks (less one) are hashed ahead.
  private static var groupBlocks: Int { 8 }

  /// How many leading nibbles keys `a` and `b` share.
  private func commonNibbles(_ a: Int, _ b: Int) -> Int {
    let limit = min(nibbleCount(a), nibbleCount(b))
    var i = 0
    while i < limit && nibble(a, i) == nibble(b, i) { i += 1 }
    return i
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
