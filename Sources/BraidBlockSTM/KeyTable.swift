/// The table behind one shard of versioned memory: an open-addressing hash table (linear
/// probing, backward-shift deletion) from a key to its versions.
///
/// Not a `Dictionary`: a dictionary runs SipHash over every key on every lookup, even over a
/// key whose hash is already known, and hands values out by copy. Here the hash is the one
/// `HashedKey` computed once per read (with the VM's own cheap hash, `BlockSTMVM.keyHash`), a
/// probe compares stored hashes before it ever compares keys, and versions are read and
/// updated in place. Every access happens under the shard's lock.
///
/// The buckets hold only a hash and the position of the key's entry; the entries (key and
/// versions together) sit densely in insertion order. Probing then walks 16-byte buckets, a
/// hit costs one more cache line for the key and its versions side by side, and the memory
/// a block touches is what its keys need rather than twice that in half-empty buckets:
/// versioned memory is read several times per transaction, and its cache misses were the
/// largest single cost of a parallel block.
@usableFromInline
struct KeyTable<VM: BlockSTMVM>: Sendable {
  @usableFromInline
  struct Bucket: Sendable {
    /// The key's hash; 0 for an empty bucket (`HashedKey` never hashes to 0).
    @usableFromInline var hash: Int
    /// Where the key's entry is in `entries`.
    @usableFromInline var entry: Int

    @inlinable init(hash: Int, entry: Int) {
      self.hash = hash
      self.entry = entry
    }
  }

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
    buckets = ContiguousArray(repeating: Bucket(hash: 0, entry: 0), count: capacity)
    entries.reserveCapacity(minimumCapacity)
  }

  @inlinable
  var count: Int { entries.count }

  /// The low bits of a hash pick the shard; the bucket comes from the bits above them.
  @inlinable
  func home(_ hash: Int) -> Int { (hash >> 8) & mask }

  /// The position in `entries` of `key`, or nil.
  @inlinable
  func find(_ key: HashedKey<VM.Key>) -> Int? {
    var i = home(key.hash)
    while true {
      let bucket = buckets[i]
      if bucket.hash == 0 { return nil }
      if bucket.hash == key.hash && entries[bucket.entry].key == key.key { return bucket.entry }
      i = (i &+ 1) & mask
    }
  }

  /// Adds `entry` at `key`, or inserts it into the versions already there.
  @inlinable
  mutating func insert(_ key: HashedKey<VM.Key>, _ entry: consuming KeyVersions<VM>.Entry) {
    var i = home(key.hash)
    while true {
      let bucket = buckets[i]
      if bucket.hash == 0 { break }
      if bucket.hash == key.hash && entries[bucket.entry].key == key.key {
        entries[bucket.entry].versions.insertOrReplace(entry)
        return
      }
      i = (i &+ 1) & mask
    }
    if 2 * (entries.count + 1) > buckets.count {
      grow()
      i = home(key.hash)
      while buckets[i].hash != 0 { i = (i &+ 1) & mask }
    }
    buckets[i] = Bucket(hash: key.hash, entry: entries.count)
    entries.append(Entry(key: key.key, hash: key.hash, versions: .one(entry)))
  }

  /// Removes the entry at position `index` (its key no longer has any version). The last
  /// entry moves into its place, and its bucket is pointed there.
  @inlinable
  mutating func remove(entry index: Int) {
    removeBucket(at: bucket(of: index))
    let last = entries.count - 1
    if index != last {
      buckets[bucket(of: last)].entry = index
      entries.swapAt(index, last)
    }
    entries.removeLast()
  }

  /// The bucket that points at entry `index`, which exists.
  @inlinable
  func bucket(of index: Int) -> Int {
    let hash = entries[index].hash
    var i = home(hash)
    while buckets[i].hash != hash || buckets[i].entry != index { i = (i &+ 1) & mask }
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
      let h = buckets[j].hash
      if h == 0 { break }
      let ideal = home(h)
      // The entry at j may move into the hole unless its home lies cyclically in (hole, j].
      let stays = hole <= j ? (ideal > hole && ideal <= j) : (ideal > hole || ideal <= j)
      if stays { continue }
      buckets[hole] = buckets[j]
      hole = j
    }
    buckets[hole] = Bucket(hash: 0, entry: 0)
  }

  @inlinable
  mutating func grow() {
    let capacity = 2 * buckets.count
    mask = capacity - 1
    buckets = ContiguousArray(repeating: Bucket(hash: 0, entry: 0), count: capacity)
    for index in entries.indices {
      let hash = entries[index].hash
      var i = home(hash)
      while buckets[i].hash != 0 { i = (i &+ 1) & mask }
      buckets[i] = Bucket(hash: hash, entry: index)
    }
  }
}
