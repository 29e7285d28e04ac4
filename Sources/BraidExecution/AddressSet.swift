/// A set of addresses for the serial set-up of a parallel block (which transactions' accounts
/// send again later): open addressing over a cheap mix of the address, because `Set` runs
/// SipHash on every insert and lookup, and this runs once per transaction before any worker
/// starts, so its cost is paid in full on the block's wall time.
import BraidPrimitives

struct AddressSet {
  private var slots: [Address?]
  private var mask: Int
  private var count = 0

  init(minimumCapacity: Int) {
    var capacity = 16
    while capacity < 2 * minimumCapacity { capacity <<= 1 }
    slots = [Address?](repeating: nil, count: capacity)
    mask = capacity - 1
  }

  @inline(__always)
  private func home(_ a: Address) -> Int {
    var x = a.hi ^ a.mid.rotateLeft(21) ^ UInt64(a.lo).rotateLeft(42)
    x ^= x >> 33
    x &*= 0xff51_afd7_ed55_8ccd
    x ^= x >> 33
    return Int(truncatingIfNeeded: x) & mask
  }

  func contains(_ a: Address) -> Bool {
    var i = home(a)
    while let s = slots[i] {
      if s == a { return true }
      i = (i &+ 1) & mask
    }
    return false
  }

  mutating func insert(_ a: Address) {
    var i = home(a)
    while let s = slots[i] {
      if s == a { return }
      i = (i &+ 1) & mask
    }
    slots[i] = a
    count += 1
    if 2 * count > slots.count { grow() }
  }

  private mutating func grow() {
    let old = slots
    slots = [Address?](repeating: nil, count: 2 * old.count)
    mask = slots.count - 1
    count = 0
    for case let a? in old { insert(a) }
  }
}
