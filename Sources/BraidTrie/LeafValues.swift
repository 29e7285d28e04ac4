#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The leaf values of an `IncrementalTrie`, inline in one byte array: a slot of `slotSize`
/// bytes per node index, holding a 2-byte length and the value.
///
/// A value of its own (`[UInt8]` per node) was a heap allocation per new leaf and, on every
/// write and every encoding of a leaf, a pointer to follow to another cache line; a state
/// root touches thousands of leaves, nearly each one a cache miss. All slots have one size,
/// enough for the longest value so far (accounts: up to about 110 bytes, storage slots: 33),
/// so a node's value is found from its index alone; a longer value widens every slot.
struct LeafValues: Sendable {
  /// Bytes per node index; 0 until the first value.
  private(set) var slotSize = 0
  /// Node indices with a slot.
  private(set) var count = 0
  private(set) var bytes: [UInt8] = []

  static let lengthBytes = 2

  /// One more node index, its value empty.
  @inline(__always)
  mutating func append() {
    count += 1
    guard slotSize > 0 else { return }
    // From a zeroed buffer, so that the array copies them at once: appending a slot's
    // zeros one at a time (`repeatElement`) cost 400 instructions a node.
    withUnsafeTemporaryAllocation(byteCount: slotSize, alignment: 8) { zeros in
      zeros.initializeMemory(as: UInt8.self, repeating: 0)
      bytes.append(contentsOf: UnsafeRawBufferPointer(zeros))
    }
  }

  mutating func reserveCapacity(_ nodes: Int) {
    bytes.reserveCapacity(nodes * slotSize)
  }

  /// The value of node `i` (empty for a node that never held one).
  @inline(__always)
  func withValue<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    if slotSize == 0 { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
    return bytes.withUnsafeBytes { raw in
      let slot = raw.baseAddress! + i * slotSize
      let length = Int(slot.loadUnaligned(as: UInt16.self))
      return body(UnsafeRawBufferPointer(start: slot + Self.lengthBytes, count: length))
    }
  }

  /// Whether node `i` holds exactly `value`; nil when the lengths differ.
  @inline(__always)
  func equals(_ i: Int, _ value: UnsafeRawBufferPointer) -> Bool? {
    withValue(i) { old in
      guard old.count == value.count else { return nil }
      return value.isEmpty || memcmp(old.baseAddress!, value.baseAddress!, value.count) == 0
    }
  }

  /// Stores `value` in node `i`'s slot, widening every slot first if it does not fit.
  @inline(__always)
  mutating func set(_ i: Int, _ value: UnsafeRawBufferPointer) {
    if value.count + Self.lengthBytes > slotSize { widen(toFit: value.count) }
    let size = slotSize
    bytes.withUnsafeMutableBytes { raw in
      let slot = raw.baseAddress! + i * size
      slot.storeBytes(of: UInt16(value.count), as: UInt16.self)
      if !value.isEmpty { (slot + Self.lengthBytes).copyMemory(from: value.baseAddress!, byteCount: value.count) }
    }
  }

  /// The smallest slot: room for any RLP-encoded 256-bit word (up to 33 bytes), so that a
  /// storage trie never widens.
  static let minimumSlotSize = 40

  /// Slots of at least `length` bytes of value, grown by half at least, so that values
  /// lengthening one byte at a time copy the slots a few times, not once per byte.
  private mutating func widen(toFit length: Int) {
    precondition(length <= Int(UInt16.max), "IncrementalTrie: a value of \(length) bytes")
    let needed = max((length + Self.lengthBytes + 7) & ~7, Self.minimumSlotSize)
    let size = max(needed, (slotSize + slotSize / 2 + 7) & ~7)
    var wider = [UInt8](repeating: 0, count: count * size)
    if slotSize > 0 {
      let old = slotSize
      wider.withUnsafeMutableBytes { to in
        bytes.withUnsafeBytes { from in
          for k in 0..<count {
            let source = from.baseAddress! + k * old
            let used = Self.lengthBytes + Int(source.loadUnaligned(as: UInt16.self))
            (to.baseAddress! + k * size).copyMemory(from: source, byteCount: used)
          }
        }
      }
    }
    bytes = wider
    slotSize = size
  }
}
