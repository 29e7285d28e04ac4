/// The root of an `IncrementalTrie`: dirty nodes are re-encoded bottom-up and their
/// references cached, clean subtrees are taken as they are. With more than one worker the
/// dirty children of the top branch are hashed on separate threads first; they are
/// disjoint subtrees, so the workers never touch the same node.
#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif
import BraidPrimitives
import CKeccakX4
import Synchronization

extension IncrementalTrie {
  /// Below this many changes since the last root, a second thread costs more than it saves.
  public static let parallelThreshold = 512

  /// The root hash, rehashing only what changed since the last call. `workers` above 1
  /// hashes the top branch's changed subtrees on that many threads (this one included)
  /// when enough changed for it to pay. `fourWay: false` hashes one node at a time even
  /// where the machine could hash four at once (what machines without AVX2 do; for tests).
  public mutating func rootHash(workers: Int = 1, fourWay: Bool = true) -> Hash32 {
    defer { pendingChanges = 0 }
    guard root >= 0 else { return .emptyTrie }
    if nodes[Int(root)].dirty { commit(workers: workers, fourWay: fourWay && NodeEncoder.fourWayAvailable) }
    return committedRoot!
  }

  /// The root hash as of the last `rootHash`; nil when changes wait to be hashed.
  public var committedRoot: Hash32? {
    guard root >= 0 else { return .emptyTrie }
    guard !nodes[Int(root)].dirty else { return nil }
    let length = Int(nodes[Int(root)].refLength)
    if length == 32 { return refs[Int(root)] }
    // The root is hashed even when its encoding is short enough to be embedded.
    return withUnsafeBytes(of: refs[Int(root)]) { Keccak256.hash(UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
  }

  private mutating func commit(workers: Int, fourWay: Bool) {
    let parallel = workers > 1 && pendingChanges >= Self.parallelThreshold
    let top = root
    let capacity = max(640, maxValueLength + 96)
    nodes.withUnsafeMutableBufferPointer { nodes in
      refs.withUnsafeMutableBufferPointer { refs in
        values.bytes.withUnsafeBytes { valueBytes in
          slots.withUnsafeBufferPointer { slots in
            let shared = SharedNodes(
              nodes: nodes.baseAddress!, refs: refs.baseAddress!, values: valueBytes.baseAddress,
              valueSlot: values.slotSize, slots: slots.baseAddress!, fourWay: fourWay)
            if parallel { shared.commitTopChildren(root: top, workers: workers, capacity: capacity) }
            let encoder = NodeEncoder(shared, capacity: capacity)
            encoder.commit(top, depth: 0)
            encoder.release()
          }
        }
      }
    }
  }
}

extension IncrementalTrie {
  /// An EIP-1186 proof for `key`: the encodings of the nodes on its path from the root,
  /// root first, leaving out those embedded in their parent (under 32 bytes; the root is
  /// always in). It proves the value stored under `key`, or, ending where the path leaves
  /// the trie, that there is none. Nil while changes wait to be hashed (`rootHash`).
  public func proof(for key: Hash32) -> [Bytes]? {
    guard root >= 0 else { return [] }
    guard !nodes[Int(root)].dirty else { return nil }
    var path: [(node: Int32, depth: Int)] = []
    _ = leaf(for: key) { path.append(($0, $1)) }
    // The encoder only reads the arrays here; it takes mutable pointers because hashing
    // writes references back.
    return nodes.withUnsafeBufferPointer { nodes in
      refs.withUnsafeBufferPointer { refs in
        values.bytes.withUnsafeBytes { valueBytes in
          slots.withUnsafeBufferPointer { slots in
            let shared = SharedNodes(
              nodes: UnsafeMutablePointer(mutating: nodes.baseAddress!),
              refs: UnsafeMutablePointer(mutating: refs.baseAddress!), values: valueBytes.baseAddress,
              valueSlot: values.slotSize, slots: slots.baseAddress!, fourWay: false)
            let encoder = NodeEncoder(shared, capacity: max(640, maxValueLength + 96))
            defer { encoder.release() }
            return path.enumerated().compactMap { (k, step) -> Bytes? in
              guard k == 0 || nodes[Int(step.node)].refLength == 32 else { return nil }
              return encoder.encoding(of: step.node, depth: step.depth)
            }
          }
        }
      }
    }
  }
}

extension NodeEncoder {
  /// The encoding of a node whose children are all hashed, as `encode` would hash it.
  func encoding(of n: Int32, depth: Int) -> Bytes {
    let i = Int(n)
    let length: Int
    switch shared.nodes[i].kind {
    case .leaf: length = encodeLeaf(i, depth: depth)
    case .extension: length = encodeExtension(i, depth: depth)
    case .branch: length = encodeBranch(i)
    }
    return Bytes(UnsafeRawBufferPointer(start: buffer, count: length))
  }
}

/// The trie's arrays as raw pointers, valid while `rootHash` holds them.
///
/// `@unchecked Sendable`: the pointers are handed to worker threads that `rootHash` joins
/// before its `withUnsafe…` scopes end, and each worker writes only the nodes of the
/// subtrees it was given, which no other worker reaches; `values` and `slots` are only read.
struct SharedNodes: @unchecked Sendable {
  let nodes: UnsafeMutablePointer<IncrementalTrie.Node>
  let refs: UnsafeMutablePointer<Hash32>
  /// `LeafValues`' slots: `valueSlot` bytes per node, a 2-byte length and the value.
  let values: UnsafeRawPointer?
  let valueSlot: Int
  let slots: UnsafePointer<Int32>
  /// Whether encoders hash nodes four at a time (see `NodeEncoder`).
  let fourWay: Bool

  /// Commits the dirty children of the first branch below the root on `workers` threads. The nodes above them are left dirty for the caller.
  func commitTopChildren(root: Int32, workers: Int, capacity: Int) {
    var n = Int(root)
    var depth = 0
    if nodes[n].kind == .extension {
      depth += Int(nodes[n].pathLength)
      n = Int(nodes[n].link)
    }
    guard nodes[n].kind == .branch, nodes[n].dirty else { return }
    let base = Int(nodes[n].link) * 16
    var dirty: [Int32] = []
    for s in 0..<16 {
      let c = slots[base + s]
      if c >= 0 && nodes[Int(c)].dirty { dirty.append(c) }
    }
    guard dirty.count >= 2 else { return }
    let childDepth = depth + 1
    let groups = min(workers, dirty.count)
    let work = dirty
    // Taken one at a time from a shared cursor rather than dealt out beforehand: a thread
    // that starts late (its core busy) then finds less or nothing left, instead of making
    // the others wait for its share.
    let cursor = SubtreeCursor()
    let body: @Sendable (Int) -> Void = { _ in
      let encoder = NodeEncoder(self, capacity: capacity)
      while true {
        let k = cursor.next.add(1, ordering: .relaxed).oldValue
        if k >= work.count { break }
        encoder.commit(work[k], depth: childDepth)
      }
      encoder.release()
    }
    TrieThreads.run(count: groups, body)
  }
}

/// The next subtree for `commitTopChildren`'s threads.
final class SubtreeCursor: Sendable {
  let next = Atomic<Int>(0)
}

/// Encodes nodes into its own scratch buffer, one at a time, children before parents.
/// Where the machine hashes four messages at once (`CKeccakX4`), nodes whose children are
/// done are hashed in fours (four of the same number of Keccak blocks), in passes from the
/// leaves up; what is left near the top is then encoded and hashed one at a time.
struct NodeEncoder {
  let shared: SharedNodes
  let buffer: UnsafeMutableRawPointer
  /// Per number of blocks b (1...maxBlocks): four encodings of b blocks, `stride` apart,
  /// at `batch + (b - 1) * 4 * stride`, and which nodes they are in `pending[b - 1]`.
  let batch: UnsafeMutableRawPointer
  let pending: UnsafeMutablePointer<PendingNodes>
  let fourWay: Bool
  static let maxBlocks = 4
  static let stride = maxBlocks * Keccak256.blockSize

  init(_ shared: SharedNodes, capacity: Int) {
    self.shared = shared
    buffer = .allocate(byteCount: capacity, alignment: 16)
    batch = .allocate(byteCount: Self.maxBlocks * 4 * Self.stride, alignment: 16)
    pending = .allocate(capacity: Self.maxBlocks)
    pending.initialize(repeating: PendingNodes(), count: Self.maxBlocks)
    fourWay = shared.fourWay
  }

  /// Whether this machine hashes four messages at once.
  static var fourWayAvailable: Bool { FourWayKeccak.available }

  func release() {
    buffer.deallocate()
    batch.deallocate()
    pending.deallocate()
  }

  /// Brings the reference of node `n` (whose path starts at nibble `depth`) and of every
  /// node below it up to date.
  func commit(_ n: Int32, depth: Int) {
    if fourWay {
      // Pass 1 takes the dirty leaves, pass 2 the branches just above them, and so on up;
      // whatever is still dirty after the passes is encoded one node at a time below.
      for _ in 0..<Self.batchedPasses where shared.nodes[Int(n)].dirty {
        hashReady(n, depth: depth)
        for b in 0..<Self.maxBlocks { flush(b) }
      }
    }
    encode(n, depth: depth)
  }

  /// Passes of `hashReady` before the rest is left to `encode`: each walks the dirty part
  /// of the trie again, and above the fourth level from the bottom few nodes are left.
  static let batchedPasses = 6

  /// Nodes encoded into `batch`, waiting for a fourth.
  struct PendingNodes {
    var nodes: (Int, Int, Int, Int) = (0, 0, 0, 0)
    var lengths: (UInt, UInt, UInt, UInt) = (0, 0, 0, 0)
    var count = 0
  }

  /// Encodes the dirty nodes below `n` whose children are all clean and hashes them four
  /// at a time; a node whose encoding is embedded (under 32 bytes) or longer than
  /// `maxBlocks` blocks is finished on its own. A node with a dirty child waits for a
  /// later pass.
  private func hashReady(_ n: Int32, depth: Int) {
    let i = Int(n)
    let nodes = shared.nodes
    guard nodes[i].dirty else { return }
    let length: Int
    switch nodes[i].kind {
    case .leaf:
      length = encodeLeaf(i, depth: depth)
    case .extension:
      let child = nodes[i].link
      if nodes[Int(child)].dirty {
        hashReady(child, depth: depth + Int(nodes[i].pathLength))
        return
      }
      length = encodeExtension(i, depth: depth)
    case .branch:
      let base = Int(nodes[i].link) * 16
      var ready = true
      for s in 0..<16 {
        let c = shared.slots[base + s]
        if c >= 0 && nodes[Int(c)].dirty {
          ready = false
          hashReady(c, depth: depth + 1)
        }
      }
      if !ready { return }
      length = encodeBranch(i)
    }
    let b = length / Keccak256.blockSize
    if length < 32 || b >= Self.maxBlocks {
      finish(i, length: length)
      return
    }
    let k = pending[b].count
    (batch + (4 * b + k) * Self.stride).copyMemory(from: buffer, byteCount: length)
    withUnsafeMutableBytes(of: &pending[b].nodes) { $0.storeBytes(of: i, toByteOffset: 8 * k, as: Int.self) }
    withUnsafeMutableBytes(of: &pending[b].lengths) { $0.storeBytes(of: UInt(length), toByteOffset: 8 * k, as: UInt.self) }
    pending[b].count += 1
    if pending[b].count == 4 { flush(b) }
  }

  /// Hashes the nodes pending in group `b`; the unused places of a last, partial four
  /// hash a copy of the first (same number of blocks), and the result is dropped.
  private func flush(_ b: Int) {
    let count = pending[b].count
    guard count > 0 else { return }
    let first = pending[b].lengths.0
    for k in count..<4 {
      withUnsafeMutableBytes(of: &pending[b].lengths) { $0.storeBytes(of: first, toByteOffset: 8 * k, as: UInt.self) }
    }
    let group = batch + 4 * b * Self.stride
    // Copies of the first for the unused places, so that all four have its block count.
    for k in count..<4 { (group + k * Self.stride).copyMemory(from: group, byteCount: Int(first)) }
    let hashes = FourWayKeccak.hash(group, stride: Self.stride, lengths: pending[b].lengths)
    withUnsafeBytes(of: pending[b].nodes) { indices in
      for k in 0..<count {
        let i = indices.load(fromByteOffset: 8 * k, as: Int.self)
        shared.refs[i] = FourWayKeccak.element(k, of: hashes)
        shared.nodes[i].refLength = 32
        shared.nodes[i].dirty = false
      }
    }
    pending[b].count = 0
  }

  /// Brings the reference of node `n` (whose path starts at nibble `depth`) up to date.
  private func encode(_ n: Int32, depth: Int) {
    let i = Int(n)
    let nodes = shared.nodes
    guard nodes[i].dirty else { return }
    let length: Int
    switch nodes[i].kind {
    case .leaf:
      length = encodeLeaf(i, depth: depth)
    case .extension:
      encode(nodes[i].link, depth: depth + Int(nodes[i].pathLength))
      length = encodeExtension(i, depth: depth)
    case .branch:
      let base = Int(nodes[i].link) * 16
      for s in 0..<16 {
        let c = shared.slots[base + s]
        if c >= 0 { encode(c, depth: depth + 1) }
      }
      length = encodeBranch(i)
    }
    finish(i, length: length)
  }

  /// Stores the reference of node `i`, whose encoding of `length` bytes is in `buffer`.
  private func finish(_ i: Int, length: Int) {
    let nodes = shared.nodes
    if length < 32 {
      UnsafeMutableRawPointer(shared.refs + i).copyMemory(from: buffer, byteCount: length)
    } else {
      shared.refs[i] = Keccak256.hash(UnsafeRawBufferPointer(start: buffer, count: length))
    }
    nodes[i].refLength = UInt8(min(length, 32))
    nodes[i].dirty = false
  }

  /// [hex-prefix(rest of key, leaf), value].
  fileprivate func encodeLeaf(_ i: Int, depth: Int) -> Int {
    let key = shared.nodes[i].key
    let prefixLength = (64 - depth) / 2 + 1
    let pathItem = prefixLength == 1 ? 1 : 1 + prefixLength
    let slot = shared.values! + i * shared.valueSlot
    let value = UnsafeRawBufferPointer(
      start: slot + LeafValues.lengthBytes, count: Int(slot.loadUnaligned(as: UInt16.self)))
    let c = value.count
    let valueItem = c == 1 && value[0] < 0x80 ? 1 : stringHeaderLength(c) + c
    var p = buffer + writeListHeader(payload: pathItem + valueItem, at: buffer)
    if prefixLength > 1 {
      p.storeBytes(of: 0x80 + UInt8(prefixLength), as: UInt8.self)
      p += 1
    }
    // 64 - depth nibbles: odd when depth is odd, and then the first rides in the flag byte.
    let first = depth & 1 == 1 ? 0x30 | UInt8(nibble(key, depth)) : 0x20
    p.storeBytes(of: first, as: UInt8.self)
    p += 1
    p += copyKeyBytes(key, from: (depth + 1) / 2, to: 32, at: p)
    if valueItem == 1 {
      p.storeBytes(of: value[0], as: UInt8.self)
      p += 1
    } else {
      p += writeHeader(short: 0x80, long: 0xb7, length: c, at: p)
      p.copyMemory(from: value.baseAddress!, byteCount: c)
      p += c
    }
    return p - buffer
  }

  /// [hex-prefix(nibbles depth..<depth+pathLength, extension), child reference].
  fileprivate func encodeExtension(_ i: Int, depth: Int) -> Int {
    let node = shared.nodes[i]
    let length = Int(node.pathLength)
    let end = depth + length
    let prefixLength = length / 2 + 1
    let pathItem = prefixLength == 1 ? 1 : 1 + prefixLength
    let payload = pathItem + referenceLength(node.link)
    var p = buffer + writeListHeader(payload: payload, at: buffer)
    if prefixLength > 1 {
      p.storeBytes(of: 0x80 + UInt8(prefixLength), as: UInt8.self)
      p += 1
    }
    var from = depth
    if length & 1 == 1 {
      p.storeBytes(of: 0x10 | UInt8(nibble(node.key, depth)), as: UInt8.self)
      from += 1
    } else {
      p.storeBytes(of: 0 as UInt8, as: UInt8.self)
    }
    p += 1
    if from & 1 == 0 {
      p += copyKeyBytes(node.key, from: from / 2, to: end / 2, at: p)
    } else {
      // The remaining nibbles straddle bytes of the key: pack them pairwise.
      while from < end {
        p.storeBytes(of: UInt8(nibble(node.key, from) << 4 | nibble(node.key, from + 1)), as: UInt8.self)
        p += 1
        from += 2
      }
    }
    p += writeReference(node.link, at: p)
    return p - buffer
  }

  /// [16 child references, empty value].
  fileprivate func encodeBranch(_ i: Int) -> Int {
    let base = Int(shared.nodes[i].link) * 16
    var payload = 1
    for s in 0..<16 {
      let c = shared.slots[base + s]
      payload += c < 0 ? 1 : referenceLength(c)
    }
    var p = buffer + writeListHeader(payload: payload, at: buffer)
    for s in 0..<16 {
      let c = shared.slots[base + s]
      if c < 0 {
        p.storeBytes(of: 0x80 as UInt8, as: UInt8.self)
        p += 1
      } else {
        p += writeReference(c, at: p)
      }
    }
    p.storeBytes(of: 0x80 as UInt8, as: UInt8.self)
    return p + 1 - buffer
  }

  // MARK: pieces

  @inline(__always)
  private func referenceLength(_ c: Int32) -> Int {
    let l = Int(shared.nodes[Int(c)].refLength)
    return l == 32 ? 33 : l
  }

  /// A child's reference: the RLP string of its hash, or its short encoding verbatim.
  @inline(__always)
  private func writeReference(_ c: Int32, at p: UnsafeMutableRawPointer) -> Int {
    let l = Int(shared.nodes[Int(c)].refLength)
    if l == 32 {
      p.storeBytes(of: 0xa0 as UInt8, as: UInt8.self)
      shared.refs[Int(c)].word.storeBigEndian(to: p + 1)
      return 33
    }
    p.copyMemory(from: UnsafeRawPointer(shared.refs + Int(c)), byteCount: l)
    return l
  }

  /// Key bytes `from..<to` (big-endian order), written at `p`; returns how many.
  @inline(__always)
  private func copyKeyBytes(_ key: Hash32, from: Int, to: Int, at p: UnsafeMutableRawPointer) -> Int {
    if from >= to { return 0 }
    var bytes: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    withUnsafeMutableBytes(of: &bytes) { b in
      key.word.storeBigEndian(to: b.baseAddress!)
      p.copyMemory(from: b.baseAddress! + from, byteCount: to - from)
    }
    return to - from
  }

  @inline(__always)
  private func writeListHeader(payload: Int, at p: UnsafeMutableRawPointer) -> Int {
    writeHeader(short: 0xc0, long: 0xf7, length: payload, at: p)
  }

  @inline(__always)
  private func stringHeaderLength(_ length: Int) -> Int {
    length < 56 ? 1 : 1 + byteCount(length)
  }

  @inline(__always)
  private func writeHeader(short: UInt8, long: UInt8, length: Int, at p: UnsafeMutableRawPointer) -> Int {
    if length < 56 {
      p.storeBytes(of: short + UInt8(length), as: UInt8.self)
      return 1
    }
    let n = byteCount(length)
    p.storeBytes(of: long + UInt8(n), as: UInt8.self)
    for k in 0..<n {
      (p + 1 + k).storeBytes(of: UInt8(truncatingIfNeeded: length >> (8 * (n - 1 - k))), as: UInt8.self)
    }
    return 1 + n
  }

  @inline(__always)
  private func byteCount(_ length: Int) -> Int {
    (64 - UInt64(length).leadingZeroBitCount + 7) / 8
  }
}

/// A pointer handed to the other thread of `TrieThreads.run(_:alongside:)`.
///
/// `@unchecked Sendable`: whoever makes one guarantees that only that thread uses the
/// pointee until it is joined, and that the pointer stays valid until then.
public struct SendablePointer<Pointee>: @unchecked Sendable {
  public let pointer: UnsafeMutablePointer<Pointee>
  public init(_ pointer: UnsafeMutablePointer<Pointee>) { self.pointer = pointer }
}

/// Helper threads for hashing subtrees in parallel (and for the block's other parallel
/// steps: receipts beside the commit), from `ThreadPool`, whose threads park between uses:
/// the root's three parallel steps follow each other within microseconds, and each used to
/// start a thread of its own (50 to 280 µs each, temporary timers).
public enum TrieThreads {
  /// Runs `other` on a pool thread while `here` runs on this one, and returns when both
  /// have finished (for updating two tries at once).
  public static func run(_ other: @escaping @Sendable () -> Void, alongside here: () -> Void) {
    ThreadPool.shared.run(count: 1, { _ in other() }, whileWaiting: here)
  }

  /// Runs `body(k)` for k in 0..<count, k = 0 on the calling thread, and returns when all
  /// have finished.
  public static func run(count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    ThreadPool.shared.run(count: max(count, 1) - 1, { body($0 + 1) }, whileWaiting: { body(0) })
  }
}
