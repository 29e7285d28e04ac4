/// The chain as readers see it: blocks, receipts, the transaction and log indexes, and the
/// states after the most recent blocks (`LiveState`: the head state, changed in place, and
/// what each block overwrote). The sequencer is its only writer and appends whole blocks,
/// so a reader sees a block with all its receipts and its state or none of them.
///
/// With a persistent `Store`, a block is committed there first and appended here after,
/// so anything a reader has seen survives a crash. The last `retainedBlocks` blocks are kept
/// here in full, so that memory stays bounded however long the node runs; older ones
/// (and those committed before a restart) are read back from the store on demand, up to
/// the published head only. Without a store everything is kept.
import BraidEVM
import BraidPrimitives
import BraidRPC
import BraidStorage
import Synchronization

/// A block with everything the RPC layer renders about it.
public struct SealedBlock: Sendable {
  public var record: BlockRecord
  public var transactions: [TransactionRecord]
  public var receipts: [ReceiptRecord]
  public var logs: [LogRecord]

  public var header: BlockHeader { record.header }
  public var hash: Hash32 { record.hash }
}

public final class ChainStore: Sendable {
  struct Data {
    /// The number of `blocks[0]`; earlier records are in the store.
    var first: UInt64
    var blocks: [BlockRecord] = []
    var numbers: [Hash32: UInt64] = [:]
    /// Transactions, receipts and logs of blocks from `detailFrom` on (those made by this
    /// process), one array per block; earlier ones are in the store. Kept as the block's
    /// own arrays, with only a small position per hash in a table: hashing each record
    /// (several hundred bytes) into a table of its own cost a large move per transaction
    /// and more on every growth.
    var detailFrom: UInt64
    var transactions: [[TransactionRecord]] = []
    var receipts: [[ReceiptRecord]] = []
    var logs: [[LogRecord]] = []
    var positions: [Hash32: (block: UInt64, index: Int)] = [:]

    var headNumber: UInt64 { first + UInt64(blocks.count) - 1 }

    /// Where a transaction kept here is: its block's offset in the detail arrays, its index.
    func detail(_ hash: Hash32) -> (block: Int, index: Int)? {
      guard let p = positions[hash], p.block >= detailFrom else { return nil }
      return (Int(p.block - detailFrom), p.index)
    }

    func record(_ number: UInt64) -> BlockRecord? {
      number >= first && number - first < UInt64(blocks.count) ? blocks[Int(number - first)] : nil
    }
  }

  /// How many recent blocks' states are kept for queries at older blocks.
  public let stateHistory: Int
  /// The head state and what recent blocks changed.
  public let live: LiveState
  /// With a store, how many recent blocks' records, transactions, receipts and logs stay
  /// in memory; the rest is read from the store.
  public let retainedBlocks: Int
  /// Where blocks committed before this process started are read from.
  public let persistent: Store?
  private let data: Mutex<Data>

  /// A new chain: `genesis` is block 0 and `state` the state after it.
  public init(
    genesis: BlockRecord, state: InMemoryState, stateHistory: Int = 128, persistent: Store? = nil,
    retainedBlocks: Int = 1024
  ) {
    self.stateHistory = max(1, stateHistory)
    self.retainedBlocks = max(1, retainedBlocks)
    self.persistent = persistent
    var d = Data(first: 0, detailFrom: 0)
    d.blocks.append(genesis)
    d.numbers[genesis.hash] = 0
    live = LiveState(state, at: 0, history: stateHistory)
    d.transactions.append([])
    d.receipts.append([])
    d.logs.append([])
    data = Mutex(d)
  }

  /// A chain reopened from `persistent`: `recent` are the last blocks' records, oldest
  /// first, ending at the head, whose state is `state`.
  public init(
    reopened recent: [BlockRecord], state: InMemoryState, stateHistory: Int = 128, persistent: Store,
    retainedBlocks: Int = 1024
  ) {
    precondition(!recent.isEmpty, "a reopened chain has a head")
    self.stateHistory = max(1, stateHistory)
    self.retainedBlocks = max(1, retainedBlocks)
    self.persistent = persistent
    let head = recent[recent.count - 1].header.number
    var d = Data(first: recent[0].header.number, detailFrom: head + 1)
    d.blocks = recent
    for r in recent { d.numbers[r.hash] = r.header.number }
    live = LiveState(state, at: head, history: stateHistory)
    data = Mutex(d)
  }

  /// Publishes a block, whose changes the producer has applied to `live`'s head.
  public func append(_ block: SealedBlock) {
    data.withLock { d in
      let number = block.header.number
      precondition(number == d.headNumber + 1, "blocks are appended in order")
      d.blocks.append(block.record)
      d.numbers[block.hash] = number
      live.publish(number)
      for (i, h) in block.record.transactionHashes.enumerated() { d.positions[h] = (number, i) }
      d.transactions.append(block.transactions)
      d.receipts.append(block.receipts)
      d.logs.append(block.logs)
      if persistent != nil { Self.forgetOldest(&d, keeping: retainedBlocks) }
    }
  }

  /// Drops what the store can serve once more than `retainedBlocks` blocks are kept.
  private static func forgetOldest(_ d: inout Data, keeping retainedBlocks: Int) {
    while d.blocks.count > retainedBlocks {
      let oldest = d.blocks.removeFirst()
      d.numbers[oldest.hash] = nil
      d.first += 1
      if oldest.header.number == d.detailFrom && !d.logs.isEmpty {
        for h in oldest.transactionHashes { d.positions[h] = nil }
        d.transactions.removeFirst()
        d.receipts.removeFirst()
        d.logs.removeFirst()
        d.detailFrom += 1
      }
    }
  }

  public var head: BlockRecord { data.withLock { $0.blocks[$0.blocks.count - 1] } }
  public var headNumber: UInt64 { data.withLock { $0.headNumber } }

  /// The head block and a view of the state after it, read together.
  public func headAndState() -> (BlockRecord, StateView) {
    data.withLock { d in
      let h = d.blocks[d.blocks.count - 1]
      return (h, view(atBlock: h.header.number)!)
    }
  }

  public func block(number: UInt64) -> BlockRecord? {
    let (kept, head, first) = data.withLock { d in (d.record(number), d.headNumber, d.first) }
    if let kept { return kept }
    guard number < first, number <= head, let persistent else { return nil }
    return StoredChain.read { () throws(LMDBError) in try persistent.blockRecord(number: number) }
  }

  public func block(hash: Hash32) -> BlockRecord? {
    if let kept = data.withLock({ d in d.numbers[hash].flatMap { d.record($0) } }) { return kept }
    guard let persistent,
      let number = StoredChain.read({ () throws(LMDBError) in try persistent.blockNumber(hash: hash) })
    else { return nil }
    return block(number: number)
  }

  public func blockHash(number: UInt64) -> Hash32 { block(number: number)?.hash ?? .zero }

  /// The hashes BLOCKHASH can return in block `number`: those of the 256 blocks before it.
  public func recentBlockHashes(before number: UInt64) -> [UInt64: Hash32] {
    let (kept, first) = data.withLock { d in
      var out: [UInt64: Hash32] = [:]
      let end = min(number, d.headNumber + 1)
      let start = max(end > 256 ? end - 256 : 0, d.first)
      out.reserveCapacity(256)
      if start < end { for n in start..<end { out[n] = d.blocks[Int(n - d.first)].hash } }
      return (out, d.first)
    }
    // A reopened chain keeps the last 256 records, so this only reads the store when asked
    // about blocks further back.
    var out = kept
    let start = number > 256 ? number - 256 : 0
    if start < min(first, number) {
      for n in start..<min(first, number) { out[n] = blockHash(number: n) }
    }
    return out
  }

  /// The state after block `number`, while it is one of the last `stateHistory` blocks.
  public func state(atBlock number: UInt64) -> StateView? { data.withLock { _ in view(atBlock: number) } }

  /// Called inside `data`'s lock, so that the head cannot move between the check and the view.
  private func view(atBlock number: UInt64) -> StateView? {
    live.view(atBlock: number).map { start in
      StateView(live: live, start: start, blockHashes: { [weak self] n in self?.blockHash(number: n) ?? .zero })
    }
  }

  public func transaction(hash: Hash32) -> TransactionRecord? {
    if let t = data.withLock({ d in d.detail(hash).map { d.transactions[$0.block][$0.index] } }) { return t }
    return stored(hash) { (store, p) throws(LMDBError) in try store.transactionRecord(at: p) }
  }

  public func receipt(hash: Hash32) -> ReceiptRecord? {
    if let r = data.withLock({ d in d.detail(hash).map { d.receipts[$0.block][$0.index] } }) { return r }
    return stored(hash) { (store, p) throws(LMDBError) in try store.receiptRecord(at: p) }
  }

  public func logs(inBlock number: UInt64) -> [LogRecord] {
    let (kept, detailFrom) = data.withLock { d in
      (
        number >= d.detailFrom && number - d.detailFrom < UInt64(d.logs.count)
          ? d.logs[Int(number - d.detailFrom)] : nil, d.detailFrom
      )
    }
    if let kept { return kept }
    guard number < detailFrom, let persistent else { return [] }
    return StoredChain.read { () throws(LMDBError) in try persistent.logRecords(inBlock: number) } ?? []
  }

  /// A transaction's record from the store, for one included before this process started
  /// (later ones are all in memory, and one the store has but memory does not yet is not
  /// published).
  private func stored<R>(
    _ hash: Hash32, _ body: (Store, StoredChain.Position) throws(LMDBError) -> R?
  ) -> R? {
    guard let persistent else { return nil }
    let detailFrom = data.withLock { $0.detailFrom }
    return StoredChain.read { () throws(LMDBError) in
      guard let p = try persistent.transactionPosition(hash: hash), p.blockNumber < detailFrom else {
        return nil
      }
      return try body(persistent, StoredChain.Position(hash: hash, position: p))
    }
  }
}
