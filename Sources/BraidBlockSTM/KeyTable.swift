/// The table behind one shard of versioned memory: an open-addressing hash table (linear
/// probing, backward-shift deletion) from a key to its versions.
///
/// Not a `Dictionary`: a dictionary runs SipHash over every key on every lookup, even over a
/// key whose hash is already known, and hands values out by copy. Here the hash is the one
/// `HashedKey` computed once per read (with the VM's own cheap hash, `BlockSTMVM.keyHash`), a
/// probe compares stored hash bits before it ever compares keys, and versions are read and
/// updated in place. Every access happens under the shard's lock.
///
/// The buckets hold only part of a hash and the position of the key's entry; the entries
/// (key and versions together) sit densely in insertion order. Probing then walks 8-byte
/// buckets, a hit costs one more cache line for the key and its versions side by side, and
/// the memory a block touches is what its keys need rather than twice that in half-empty
/// buckets: versioned memory is read several times per transaction, and its cache misses
/// were the largest single cost of a parallel block.
@usableFromInline
struct KeyTable<VM: BlockSTMVM>: Sendable {
  /// Eight bytes, so that a probe's cache line holds eight buckets.
  @usableFromInline
  struct Bucket: Sendable {
    /// Bits 8 to 38 of the key's hash with the top bit set (`tag(of:)`); 0 for an empty
    /// bucket. The home bucket is these bits masked, so the tag alone says where a key
    /// belongs when deletion moves buckets back.
    @usableFromInline var tag: UInt32
    /// Where the key's entry is in `entries`.
    @usableFromInline var entry: UInt32

    @inlinable init(tag: UInt32, entry: Int) {
      self.tag = tag
      self.entry = UInt32(truncatingIfNeeded: entry)
    }

    @inlinable static var empty: Bucket { Bucket(tag: 0, entry: 0) }
  }

  /// Never 0. The low bits of a hash pick the shard; the bits above them pick the bucket.
  @inlinable
  static func tag(of hash: Int) -> UInt32 { UInt32(truncatingIfNeeded: hash >> 8) | 0x8000_0000 }

  @usableFromInline
  struct Entry: Sendable {
    @usableFromInline let key: VM.Key
    @usableFromInline let hash: Int
    @usableFromInline var versions: KeyVersions<VM>

    @inlinable init(key: VM.Key, hash: Int, versions: KeyVersions<VM>) {
      self.key = key
      self.hash = hash
      self.versions = versions
    }
  }

  @usableFromInline var buckets: ContiguousArray<Bucket>
  @usableFromInline var entries: ContiguousArray<Entry> = []
  @usableFromInline var mask: Int

  @inlinable
  init(minimumCapacity: Int) {
    var capacity = 16
    while capacity < 2 * minimumCapacity { capacity <<= 1 }
    mask = capacity - 1
    buckets = ContiguousArray(repeating: .empty, count: capacity)
    entries.reserveCapacity(minimumCapacity)
  }

  @inlinable
  var count: Int { entries.count }

  /// Where a key with this tag is probed first (the mask is far below the tag's top bit).
  @inlinable
  func home(_ tag: UInt32) -> Int { Int(tag) & mask }

  /// The position in `entries` of `key`, or nil.
  @inlinable
  func find(_ key: HashedKey<VM.Key>) -> Int? {
    let tag = Self.tag(of: key.hash)
    var i = home(tag)
    while true {
      let bucket = buckets[i]
      if bucket.tag == 0 { return nil }
      if bucket.tag == tag && entries[Int(bucket.entry)].key == key.key { return Int(bucket.entry) }
      i = (i &+ 1) & mask
    }
  }

  /// Adds `entry` at `key`, or inserts it into the versions already there.
  @inlinable
  mutating func insert(_ key: HashedKey<VM.Key>, _ entry: consuming KeyVersions<VM>.Entry) {
    let tag = Self.tag(of: key.hash)
    var i = home(tag)
    while true {
      let bucket = buckets[i]
      if bucket.tag == 0 { break }
      if bucket.tag == tag && entries[Int(bucket.entry)].key == key.key {
        entries[Int(bucket.entry)].versions.insertOrReplace(entry)
        return
      }
      i = (i &+ 1) & mask
    }
    if 2 * (entries.count + 1) > buckets.count {
      grow()
      i = home(tag)
      while buckets[i].tag != 0 { i = (i &+ 1) & mask }
    }
    buckets[i] = Bucket(tag: tag, entry: entries.count)
    entries.append(Entry(key: key.key, hash: key.hash, versions: .one(entry)))
  }

  /// Removes the entry at position `index` (its key no longer has any version). The last
  /// entry moves into its place, and its bucket is pointed there.
  @inlinable
  mutating func remove(entry index: Int) {
    removeBucket(at: bucket(of: index))
    let last = entries.count - 1
    if index != last {
      buckets[bucket(of: last)].entry = UInt32(truncatingIfNeeded: index)
      entries.swapAt(index, last)
    }
    entries.removeLast()
  }

  /// The bucket that points at entry `index`, which exists.
  @inlinable
  func bucket(of index: Int) -> Int {
    let tag = Self.tag(of: entries[index].hash)
    var i = home(tag)
    while buckets[i].tag != tag || Int(buckets[i].entry) != index { i = (i &+ 1) & mask }
    return i
  }

  /// Empties bucket `i`, moving later buckets of the same probe run back so that every key
  /// stays reachable from its home bucket without tombstones.
  @inlinable
  mutating func removeBucket(at i: Int) {
    var hole = i
    var j = i
    while true {
      j = (j &+ 1) & mask
      let t = buckets[j].tag
      if t == 0 { break }
      let ideal = home(t)
      // The entry at j may move into the hole unless its home lies cyclically in (hole, j].
      let stays = hole <= j ? (ideal > hole && ideal <= j) : (ideal > hole || ideal <= j)
      if stays { continue }
      buckets[hole] = buckets[j]
      hole = j
    }
    buckets[hole] = .empty
  }

  @inlinable
  mutating func grow() {
    let capacity = 2 * buckets.count
    mask = capacity - 1
    buckets = ContiguousArray(repeating: .empty, count: capacity)
    for index in entries.indices {
      let tag = Self.tag(of: entries[index].hash)
      var i = home(tag)
      while buckets[i].tag != 0 { i = (i &+ 1) & mask }
      buckets[i] = Bucket(tag: tag, entry: index)
    }
  }
}
