/// The table behind one shard of versioned memory: an open-addressing hash table (linear
/// probing, backward-shift deletion) from a key to its versions.
///
/// Not a `Dictionary`: a dictionary runs SipHash over every key on every lookup, even over a
/// key whose hash is already known, and hands values out by copy. Here the hash is the one
/// `HashedKey` computed once per read (with the VM's own cheap hash, `BlockSTMVM.keyHash`), a
/// probe compares stored hashes before it ever compares keys, and versions are read and
/// updated in place. Every access happens under the shard's lock.
@usableFromInline
struct KeyTable<VM: BlockSTMVM>: Sendable {
  /// Per bucket: the key's hash, 0 for an empty bucket (`HashedKey` never hashes to 0).
  @usableFromInline var hashes: ContiguousArray<Int>
  @usableFromInline var keys: ContiguousArray<VM.Key?>
  /// An empty bucket holds `.many([])`, which allocates nothing.
  @usableFromInline var versions: ContiguousArray<KeyVersions<VM>>
  @usableFromInline var count = 0
  @usableFromInline var mask: Int

  @inlinable
  init(minimumCapacity: Int) {
    var capacity = 16
    while capacity < 2 * minimumCapacity { capacity <<= 1 }
    mask = capacity - 1
    hashes = ContiguousArray(repeating: 0, count: capacity)
    keys = ContiguousArray(repeating: nil, count: capacity)
    versions = ContiguousArray(repeating: .many([]), count: capacity)
  }

  /// The low bits of a hash pick the shard; the bucket comes from the bits above them.
  @inlinable
  func home(_ hash: Int) -> Int { (hash >> 8) & mask }

  /// The bucket holding `key`, or nil.
  @inlinable
  func find(_ key: HashedKey<VM.Key>) -> Int? {
    var i = home(key.hash)
    while true {
      let h = hashes[i]
      if h == 0 { return nil }
      if h == key.hash && keys[i].unsafelyUnwrapped == key.key { return i }
      i = (i &+ 1) & mask
    }
  }

  /// Adds `entry` at `key`, or inserts it into the versions already there.
  @inlinable
  mutating func insert(_ key: HashedKey<VM.Key>, _ entry: KeyVersions<VM>.Entry) {
    if let i = find(key) {
      versions[i].insertOrReplace(entry)
      return
    }
    if 2 * (count + 1) > hashes.count { grow() }
    var i = home(key.hash)
    while hashes[i] != 0 { i = (i &+ 1) & mask }
    hashes[i] = key.hash
    keys[i] = key.key
    versions[i] = .one(entry)
    count += 1
  }

  /// Empties bucket `i`, moving later buckets of the same probe run back so that every key
  /// stays reachable from its home bucket without tombstones.
  @inlinable
  mutating func removeBucket(at i: Int) {
    var hole = i
    var j = i
    while true {
      j = (j &+ 1) & mask
      let h = hashes[j]
      if h == 0 { break }
      let ideal = home(h)
      // The entry at j may move into the hole unless its home lies cyclically in (hole, j].
      let stays = hole <= j ? (ideal > hole && ideal <= j) : (ideal > hole || ideal <= j)
      if stays { continue }
      hashes[hole] = h
      keys[hole] = keys[j]
      versions.swapAt(hole, j)
      hole = j
    }
    hashes[hole] = 0
    keys[hole] = nil
    versions[hole] = .many([])
    count -= 1
  }

  @inlinable
  mutating func grow() {
    let oldHashes = hashes
    let oldKeys = keys
    var oldVersions = versions
    let capacity = 2 * oldHashes.count
    mask = capacity - 1
    hashes = ContiguousArray(repeating: 0, count: capacity)
    keys = ContiguousArray(repeating: nil, count: capacity)
    versions = ContiguousArray(repeating: .many([]), count: capacity)
    for b in 0..<oldHashes.count where oldHashes[b] != 0 {
      var i = home(oldHashes[b])
      while hashes[i] != 0 { i = (i &+ 1) & mask }
      hashes[i] = oldHashes[b]
      keys[i] = oldKeys[b]
      swap(&versions[i], &oldVersions[b])
    }
  }
}
