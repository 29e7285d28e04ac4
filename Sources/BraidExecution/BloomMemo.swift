/// The keccak256 of log addresses and first topics, remembered per thread, for the logs
/// bloom that each transaction's outcome carries.
///
/// A block's logs come from few contracts and few event signatures (every log of an ERC-20
/// block has the token's address and the Transfer signature), so hashing them once per
/// thread instead of once per log saves two keccak256 per log. The other topics (an
/// ERC-20 transfer's sender and recipient) rarely repeat and are hashed every time.
/// Per thread, so that Block-STM's workers share nothing; a few dozen slots, direct-mapped,
/// so that it stays in a core's cache: a value whose slot is taken by another is hashed
/// again, never wrongly.
import BraidPrimitives

final class BloomMemo {
  static var slotCount: Int { 64 }

  private var addresses = [(Address, Hash32)?](repeating: nil, count: BloomMemo.slotCount)
  private var topics = [(Hash32, Hash32)?](repeating: nil, count: BloomMemo.slotCount)

  func hash(_ address: Address) -> Hash32 {
    let slot = Int(truncatingIfNeeded: HashMixing.fmix64(address.mixed)) & (Self.slotCount - 1)
    if let (a, h) = addresses[slot], a == address { return h }
    let h = Keccak256.hash(address.bytes)
    addresses[slot] = (address, h)
    return h
  }

  func hash(_ topic: Hash32) -> Hash32 {
    let slot = Int(truncatingIfNeeded: HashMixing.fmix64(topic.word.mixed)) & (Self.slotCount - 1)
    if let (t, h) = topics[slot], t == topic { return h }
    let h = Keccak256.hash(word: topic.word)
    topics[slot] = (topic, h)
    return h
  }

  private static let perThread = PerThread { BloomMemo() }

  /// This thread's memo, released when it exits (Block-STM's pool threads park between
  /// blocks and keep theirs).
  static var current: BloomMemo { perThread.current }
}
