/// A Merkle-Patricia trie over 32-byte (already hashed) keys that stays in memory between
/// blocks and keeps every node's reference (its hash, or its encoding when shorter than 32
/// bytes), so that the root after a batch of changes re-encodes and rehashes only the nodes
/// on changed paths: the state and storage tries of a node that makes blocks.
///
/// Nodes are values in arrays addressed by `Int32` index (no class per node, so no
/// reference counting while walking), and freed indices are reused. Every key has 64
/// nibbles, so no key is a prefix of another and branches never carry a value.
///
/// A node does not store its depth: it is passed down from the root, so a node that moves
/// up or down when the trie is restructured needs no fixing, only re-encoding (it is marked
/// dirty). Each node does store some key whose first nibbles are the node's path from the
/// root (for a leaf, its own key): the nibbles of an extension are read from it, and it
/// stays valid when that key itself is later deleted, since only the prefix matters.
#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif
import BraidPrimitives

public struct IncrementalTrie: Sendable {
  enum Kind: UInt8, Sendable {
    case leaf, `extension`, branch
  }

  struct Node: Sendable {
    /// A key whose nibbles 0..<end-of-this-node are this node's path; a leaf's own key.
    var key: Hash32
    /// Extension: the child node. Branch: its block of 16 child slots in `slots`.
    var link: Int32
    var kind: Kind
    /// Extension: how many nibbles it covers (1...63).
    var pathLength: UInt8 = 0
    /// Valid when not dirty: 32 when `refs` holds the node's hash, otherwise the length of
    /// the node's encoding, which `refs` holds verbatim (it is embedded in its parent).
    var refLength: UInt8 = 0
    var dirty = true
  }

  var nodes: [Node] = []
  /// Per node: its hash, or its short encoding as raw bytes; see `Node.refLength`.
  var refs: [Hash32] = []
  /// Per node: a leaf's value (other nodes keep an empty or stale one there).
  var values = LeafValues()
  /// Sixteen child node indices per branch, -1 for none.
  var slots: [Int32] = []
  var freeNodes: [Int32] = []
  var freeBranches: [Int32] = []
  var root: Int32 = -1
  /// The longest value stored, so that an encoder's buffer can be sized once.
  var maxValueLength = 0
  /// Set by `insert`/`remove` when the subtree they were called on changed.
  var changed = false
  /// Changes since the last `rootHash`, to decide whether hashing in parallel pays.
  var pendingChanges = 0

  public private(set) var count = 0

  public init() {}

  public var isEmpty: Bool { root < 0 }

  /// Makes room for `keys` more keys, so that inserting them reallocates no array. A new
  /// key adds a leaf and at most a branch and an extension. Capacity grows at least
  /// geometrically, so that reserving a little before every batch stays amortised O(1).
  public mutating func reserveCapacity(forAdditionalKeys keys: Int) {
    let needed = nodes.count - freeNodes.count + 3 * keys
    if needed > nodes.capacity {
      let capacity = max(needed, 2 * nodes.capacity)
      nodes.reserveCapacity(capacity)
      refs.reserveCapacity(capacity)
      values.reserveCapacity(capacity)
    }
    let neededSlots = slots.count - 16 * freeBranches.count + 16 * keys
    if neededSlots > slots.capacity { slots.reserveCapacity(max(neededSlots, 2 * slots.capacity)) }
  }

  // MARK: updates

  /// Stores `value` under `key`; an empty value removes the key.
  public mutating func update(_ key: Hash32, value: Bytes) {
    value.withUnsafeBytes { update(key, value: $0) }
  }

  /// Stores `value` under `key`; an empty value removes the key. Writing a value equal to
  /// the stored one changes nothing and dirties nothing.
  public mutating func update(_ key: Hash32, value: UnsafeRawBufferPointer) {
    if value.isEmpty { return remove(key) }
    if overwrite(key, value: value) { return }
    changed = false
    root = insert(at: root, depth: 0, key: key, value: value)
    if changed { pendingChanges += 1 }
  }

  public mutating func remove(_ key: Hash32) {
    changed = false
    root = remove(at: root, depth: 0, key: key)
    if changed { pendingChanges += 1 }
  }

  /// The value stored under `key`, if any.
  public func value(for key: Hash32) -> Bytes? {
    let n = leaf(for: key)
    return n >= 0 ? values.withValue(Int(n)) { Bytes($0) } : nil
  }

  /// The leaf that holds `key`, or -1; `visit` sees every node of the path down, the leaf
  /// included, with the nibble its path starts at.
  @inline(__always)
  func leaf(for key: Hash32, visit: (_ node: Int32, _ depth: Int) -> Void = { _, _ in }) -> Int32 {
    var n = root
    var depth = 0
    while n >= 0 {
      visit(n, depth)
      let node = nodes[Int(n)]
      switch node.kind {
      case .leaf:
        return node.key == key ? n : -1
      case .extension:
        let end = depth + Int(node.pathLength)
        if commonPrefix(node.key, key) < end { return -1 }
        depth = end
        n = node.link
      case .branch:
        n = slots[Int(node.link) * 16 + nibble(key, depth)]
        depth += 1
      }
    }
    return -1
  }

  /// The common case of a block's writes, an existing key given a value of the same
  /// length (a balance, a nonce, a token slot), without `insert`'s recursion: one walk down
  /// that only reads, then the value overwritten in place and the path marked dirty, with
  /// one uniqueness check per array rather than two per level. Returns false, having
  /// changed nothing, when the key is absent or the length differs.
  private mutating func overwrite(_ key: Hash32, value: UnsafeRawBufferPointer) -> Bool {
    // Every node on the path has a key of its own below it, so the path is at most one
    // branch per nibble plus the extensions between them: 129 nodes, in practice under 12.
    withUnsafeTemporaryAllocation(of: Int32.self, capacity: 130) { path in
      var length = 0
      let n = leaf(for: key) { node, _ in
        path[length] = node
        length += 1
      }
      guard n >= 0 else { return false }
      let i = Int(n)
      guard let same = values.equals(i, value) else { return false }
      if same { return true }
      values.set(i, value)
      nodes.withUnsafeMutableBufferPointer { nodes in
        for k in 0..<length { nodes[Int(path[k])].dirty = true }
      }
      pendingChanges += 1
      return true
    }
  }

  /// Inserts into the subtree at `n`, whose path is `depth` nibbles long and a prefix of
  /// `key`; returns the subtree's new root index.
  private mutating func insert(at n: Int32, depth: Int, key: Hash32, value: UnsafeRawBufferPointer) -> Int32 {
    if n < 0 {
      changed = true
      count += 1
      return newLeaf(key, value)
    }
    let i = Int(n)
    switch nodes[i].kind {
    case .leaf:
      let other = nodes[i].key
      if other == key {
        if values.equals(i, value) == true { return n }
        values.set(i, value)
        maxValueLength = max(maxValueLength, value.count)
        nodes[i].dirty = true
        changed = true
        return n
      }
      changed = true
      count += 1
      // The two keys part at `split`: a branch there, under an extension for the nibbles
      // they share below `depth`. The old leaf moves down, so its encoding changes.
      let split = commonPrefix(other, key)
      nodes[i].dirty = true
      let branch = newBranch(key: key)
      setSlot(branch, nibble(other, split), n)
      setSlot(branch, nibble(key, split), newLeaf(key, value))
      return split == depth ? branch : newExtension(key: key, length: split - depth, child: branch)
    case .extension:
      let end = depth + Int(nodes[i].pathLength)
      let split = min(commonPrefix(nodes[i].key, key), end)
      if split == end {
        let child = insert(at: nodes[i].link, depth: end, key: key, value: value)
        if changed {
          nodes[i].link = child
          nodes[i].dirty = true
        }
        return n
      }
      changed = true
      count += 1
      // The key leaves the extension's path at `split`: a branch there holds the new leaf
      // and what remains of the extension below it (this node, shortened, or its child).
      let oldKey = nodes[i].key
      let branch = newBranch(key: key)
      let lower: Int32
      if end - split - 1 > 0 {
        nodes[i].pathLength = UInt8(end - split - 1)
        nodes[i].dirty = true
        lower = n
      } else {
        lower = nodes[i].link
        freeNode(n)
      }
      setSlot(branch, nibble(oldKey, split), lower)
      setSlot(branch, nibble(key, split), newLeaf(key, value))
      return split == depth ? branch : newExtension(key: key, length: split - depth, child: branch)
    case .branch:
      let slot = Int(nodes[i].link) * 16 + nibble(key, depth)
      let child = insert(at: slots[slot], depth: depth + 1, key: key, value: value)
      if changed {
        slots[slot] = child
        nodes[i].dirty = true
      }
      return n
    }
  }

  /// Removes `key` from the subtree at `n`; returns the subtree's new root index (-1 when
  /// it became empty). Branches left with one child and extensions left above a leaf or
  /// another extension are collapsed, so the shape is the canonical one for the keys left.
  private mutating func remove(at n: Int32, depth: Int, key: Hash32) -> Int32 {
    if n < 0 { return n }
    let i = Int(n)
    switch nodes[i].kind {
    case .leaf:
      guard nodes[i].key == key else { return n }
      changed = true
      count -= 1
      freeNode(n)
      return -1
    case .extension:
      let end = depth + Int(nodes[i].pathLength)
      guard commonPrefix(nodes[i].key, key) >= end else { return n }
      let child = remove(at: nodes[i].link, depth: end, key: key)
      guard changed else { return n }
      // The child was a branch, which loses at most one child and so is never emptied.
      let c = Int(child)
      switch nodes[c].kind {
      case .leaf:
        // The leaf absorbs the extension's nibbles (its path starts higher now).
        freeNode(n)
        nodes[c].dirty = true
        return child
      case .extension:
        // The merged path runs on into the child's nibbles, which only the child's key is
        // known to carry (this node's key may belong to the sibling just removed).
        nodes[i].pathLength += nodes[c].pathLength
        nodes[i].link = nodes[c].link
        nodes[i].key = nodes[c].key
        nodes[i].dirty = true
        freeNode(child)
        return n
      case .branch:
        nodes[i].link = child
        nodes[i].dirty = true
        return n
      }
    case .branch:
      let base = Int(nodes[i].link) * 16
      let slot = base + nibble(key, depth)
      let child = remove(at: slots[slot], depth: depth + 1, key: key)
      guard changed else { return n }
      slots[slot] = child
      nodes[i].dirty = true
      if child >= 0 { return n }
      var only = -1
      for s in 0..<16 where slots[base + s] >= 0 {
        if only >= 0 { return n }  // two or more children left: still a branch
        only = s
      }
      // One child left: the branch goes, and its nibble joins the child's path.
      let survivor = slots[base + only]
      freeBranch(n)
      let c = Int(survivor)
      switch nodes[c].kind {
      case .leaf:
        nodes[c].dirty = true
        return survivor
      case .extension:
        nodes[c].pathLength += 1
        nodes[c].dirty = true
        return survivor
      case .branch:
        return newExtension(key: nodes[c].key, length: 1, child: survivor)
      }
    }
  }

  // MARK: node storage

  private mutating func newNode(_ node: Node) -> Int32 {
    if let n = freeNodes.popLast() {
      nodes[Int(n)] = node
      return n
    }
    nodes.append(node)
    refs.append(.zero)
    values.append()
    return Int32(nodes.count - 1)
  }

  private mutating func newLeaf(_ key: Hash32, _ value: UnsafeRawBufferPointer) -> Int32 {
    let n = newNode(Node(key: key, link: -1, kind: .leaf))
    values.set(Int(n), value)
    maxValueLength = max(maxValueLength, value.count)
    return n
  }

  private mutating func newExtension(key: Hash32, length: Int, child: Int32) -> Int32 {
    newNode(Node(key: key, link: child, kind: .extension, pathLength: UInt8(length)))
  }

  private mutating func newBranch(key: Hash32) -> Int32 {
    let block: Int32
    if let b = freeBranches.popLast() {
      block = b
      for s in 0..<16 { slots[Int(b) * 16 + s] = -1 }
    } else {
      block = Int32(slots.count / 16)
      slots.append(contentsOf: repeatElement(-1, count: 16))
    }
    return newNode(Node(key: key, link: block, kind: .branch))
  }

  @inline(__always)
  private mutating func setSlot(_ branch: Int32, _ nibble: Int, _ child: Int32) {
    slots[Int(nodes[Int(branch)].link) * 16 + nibble] = child
  }

  private mutating func freeNode(_ n: Int32) {
    freeNodes.append(n)
  }

  private mutating func freeBranch(_ n: Int32) {
    freeBranches.append(nodes[Int(n)].link)
    freeNode(n)
  }
}

// MARK: nibbles

/// Nibble `i` (0 = the high half of byte 0) of a key. `Hash32` keeps byte 0 in the top of w3.
@inline(__always)
func nibble(_ k: Hash32, _ i: Int) -> Int {
  let w: UInt64
  switch i >> 4 {
  case 0: w = k.word.w3
  case 1: w = k.word.w2
  case 2: w = k.word.w1
  default: w = k.word.w0
  }
  return Int(truncatingIfNeeded: (w >> UInt64(60 - 4 * (i & 15))) & 0xf)
}

/// How many leading nibbles two keys share (64 when equal).
@inline(__always)
func commonPrefix(_ a: Hash32, _ b: Hash32) -> Int {
  var x = a.word.w3 ^ b.word.w3
  if x != 0 { return x.leadingZeroBitCount >> 2 }
  x = a.word.w2 ^ b.word.w2
  if x != 0 { return 16 + x.leadingZeroBitCount >> 2 }
  x = a.word.w1 ^ b.word.w1
  if x != 0 { return 32 + x.leadingZeroBitCount >> 2 }
  x = a.word.w0 ^ b.word.w0
  if x != 0 { return 48 + x.leadingZeroBitCount >> 2 }
  return 64
}
