import BraidBlockSTM
import Testing

/// SplitMix64: small, fast, and reproducible from one seed, so a failing block can be
/// rebuilt from the seed the test prints.
struct SeededGenerator: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    return mix(state)
  }
}

/// A 64-bit finalizer (from SplitMix64): every input bit affects every output bit, so values
/// computed from what a transaction read change whenever any read changes.
@inline(__always) func mix(_ x: UInt64) -> UInt64 {
  var z = x
  z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
  z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
  return z ^ (z >> 31)
}

@inline(__always) func mix(_ a: UInt64, _ b: UInt64) -> UInt64 { mix(a ^ mix(b &+ 0x632B_E59B_D9B4_E019)) }

/// A mock VM over integer keys. Each transaction reads a fixed list of keys, then writes: a
/// value or a delta derived from everything it read, so any stale read changes its writes
/// and its output. Some writes are conditional on what was read, so an incarnation can
/// write fewer (or more) keys than the previous one did.
struct RandomBlockVM: BlockSTMVM {
  typealias Key = Int
  typealias Value = UInt64
  typealias Delta = UInt64
  typealias Output = UInt64

  enum WriteKind: Sendable { case value, delta }

  struct PlannedWrite: Sendable {
    var key: Int
    var kind: WriteKind
    /// Written only when this bit of the read digest is set.
    var conditionBit: Int?
  }

  struct Txn: Sendable {
    var reads: [Int]
    var writes: [PlannedWrite]
    /// Busy work between reads, to vary how incarnations interleave.
    var spin: Int
  }

  let txns: [Txn]
  let seed: UInt64
  /// Keys announced through `writeHints`; may be wrong on purpose.
  var hints: [[Int]] = []

  func writeHints(_ txn: TxnIndex) -> [Int] { txn < hints.count ? hints[txn] : [] }

  func storageValue(_ key: Int) -> UInt64 { mix(seed, UInt64(bitPattern: Int64(key))) }

  static func apply(_ delta: UInt64, to value: UInt64) -> UInt64 { value &+ delta }
  static func merge(_ first: UInt64, _ second: UInt64) -> UInt64 { first &+ second }

  func execute(_ txn: TxnIndex, view: inout ReadView<RandomBlockVM>) -> VMResult<RandomBlockVM> {
    let plan = txns[txn]
    var digest = mix(UInt64(txn) &+ 1)
    for key in plan.reads {
      guard let value = view.read(key) else { return .dependency }
      digest = mix(digest, mix(UInt64(bitPattern: Int64(key)), value))
      var sink = digest
      for _ in 0..<plan.spin { sink = mix(sink) }
      if sink == 0 { digest &+= 1 }  // keeps the spin from being optimized away
    }
    var writes: [(Int, WriteOp<RandomBlockVM>)] = []
    for write in plan.writes {
      if let bit = write.conditionBit, (digest >> UInt64(bit)) & 1 == 0 { continue }
      let amount = mix(digest, UInt64(write.key))
      switch write.kind {
      case .value: writes.append((write.key, .value(amount)))
      case .delta: writes.append((write.key, .delta(amount % 1000 + 1)))
      }
    }
    return .done(writes: writes, output: digest)
  }

  /// The shape of a random block: how many keys (few = high contention) and how writes look.
  struct Shape: Sendable, CustomStringConvertible {
    var keys: Int
    var txns: ClosedRange<Int>
    var maxReads: Int
    var maxWrites: Int
    var deltaChance: Double
    var conditionalChance: Double
    var maxSpin: Int

    var description: String { "keys \(keys), txns \(txns), deltas \(deltaChance)" }
  }

  static func random(_ shape: Shape, seed: UInt64) -> RandomBlockVM {
    var rng = SeededGenerator(seed: seed)
    let count = Int.random(in: shape.txns, using: &rng)
    var txns: [Txn] = []
    for _ in 0..<count {
      let reads = (0..<Int.random(in: 0...shape.maxReads, using: &rng)).map { _ in
        Int.random(in: 0..<shape.keys, using: &rng)
      }
      // Distinct keys: a write set names each key once.
      var writeKeys: [Int] = []
      for _ in 0..<min(Int.random(in: 0...shape.maxWrites, using: &rng), shape.keys) {
        var key = Int.random(in: 0..<shape.keys, using: &rng)
        while writeKeys.contains(key) { key = Int.random(in: 0..<shape.keys, using: &rng) }
        writeKeys.append(key)
      }
      let writes = writeKeys.map { key in
        PlannedWrite(
          key: key,
          kind: Double.random(in: 0..<1, using: &rng) < shape.deltaChance ? .delta : .value,
          conditionBit: Double.random(in: 0..<1, using: &rng) < shape.conditionalChance
            ? Int.random(in: 0..<64, using: &rng) : nil)
      }
      txns.append(Txn(reads: reads, writes: writes, spin: Int.random(in: 0...shape.maxSpin, using: &rng)))
    }
    return RandomBlockVM(txns: txns, seed: seed)
  }
}

/// Whether two results commit the same thing: outputs, per-transaction write sets (in the
/// order the VM listed them) and final values. Stats are allowed to differ.
func sameCommit<VM: BlockSTMVM>(_ a: BlockSTMResult<VM>, _ b: BlockSTMResult<VM>) -> Bool
where VM.Output: Equatable, VM.Delta: Equatable {
  guard a.outputs == b.outputs, a.finalValues == b.finalValues, a.writes.count == b.writes.count else {
    return false
  }
  for (x, y) in zip(a.writes, b.writes) {
    guard x.count == y.count else { return false }
    for (p, q) in zip(x, y) where p.0 != q.0 || p.1 != q.1 { return false }
  }
  return true
}
