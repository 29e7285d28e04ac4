/// The chain as readers see it: blocks, receipts, the transaction and log indexes, and the
/// states after the most recent blocks, all in memory. The sequencer is its only writer
/// and appends whole blocks, so a reader sees a block with all its receipts or not at all.
/// This is the seam where the LMDB store attaches: `append` becomes one write transaction.
import BraidEVM
import BraidPrimitives
import BraidRPC
import Synchronization

/// A block with everything the RPC layer renders about it.
public struct SealedBlock: Sendable {
  public var record: BlockRecord
  public var transactions: [TransactionRecord]
  public var receipts: [ReceiptRecord]
  public var logs: [LogRecord]

  public var header: BlockHeader { record.header }
}

public final class ChainStore: Sendable {
  struct Data {
    var blocks: [BlockRecord] = []
    var numbers: [Hash32: UInt64] = [:]
    var states: [UInt64: InMemoryState] = [:]
    var transactions: [Hash32: TransactionRecord] = [:]
    var receipts: [Hash32: ReceiptRecord] = [:]
    var logs: [[LogRecord]] = []
  }

  /// How many recent blocks' states are kept for queries at older blocks.
  public let stateHistory: Int
  private let data: Mutex<Data>

  public init(genesis: BlockRecord, state: InMemoryState, stateHistory: Int = 128) {
    self.stateHistory = max(1, stateHistory)
    var d = Data()
    d.blocks.append(genesis)
    d.numbers[genesis.header.hash] = 0
    d.states[0] = state
    d.logs.append([])
    data = Mutex(d)
  }

  /// Publishes a block and the state after it.
  public func append(_ block: SealedBlock, state: InMemoryState) {
    data.withLock { d in
      let number = block.header.number
      precondition(number == UInt64(d.blocks.count), "blocks are appended in order")
      d.blocks.append(block.record)
      d.numbers[block.header.hash] = number
      d.states[number] = state
      if number >= UInt64(stateHistory) { d.states[number - UInt64(stateHistory)] = nil }
      for t in block.transactions { d.transactions[t.signed.hash] = t }
      for r in block.receipts { d.receipts[r.transactionHash] = r }
      d.logs.append(block.logs)
    }
  }

  public var head: BlockHeader { data.withLock { $0.blocks[$0.blocks.count - 1].header } }
  public var headNumber: UInt64 { data.withLock { UInt64($0.blocks.count - 1) } }

  /// The head header and the state after it, read together.
  public func headAndState() -> (BlockHeader, InMemoryState) {
    data.withLock { d in
      let h = d.blocks[d.blocks.count - 1].header
      return (h, d.states[h.number]!)
    }
  }

  public func block(number: UInt64) -> BlockRecord? {
    data.withLock { number < $0.blocks.count ? $0.blocks[Int(number)] : nil }
  }

  public func block(hash: Hash32) -> BlockRecord? {
    data.withLock { d in d.numbers[hash].map { d.blocks[Int($0)] } }
  }

  public func blockHash(number: UInt64) -> Hash32 {
    data.withLock { number < $0.blocks.count ? $0.blocks[Int(number)].header.hash : .zero }
  }

  /// The hashes BLOCKHASH can return in block `number`: those of the 256 blocks before it.
  public func recentBlockHashes(before number: UInt64) -> [UInt64: Hash32] {
    data.withLock { d in
      var out: [UInt64: Hash32] = [:]
      let end = min(number, UInt64(d.blocks.count))
      let start = end > 256 ? end - 256 : 0
      out.reserveCapacity(Int(end - start))
      for n in start..<end { out[n] = d.blocks[Int(n)].header.hash }
      return out
    }
  }

  public func state(atBlock number: UInt64) -> InMemoryState? { data.withLock { $0.states[number] } }
  public func transaction(hash: Hash32) -> TransactionRecord? { data.withLock { $0.transactions[hash] } }
  public func receipt(hash: Hash32) -> ReceiptRecord? { data.withLock { $0.receipts[hash] } }

  public func logs(inBlock number: UInt64) -> [LogRecord] {
    data.withLock { number < $0.logs.count ? $0.logs[Int(number)] : [] }
  }
}

/// Headers and their hashes.
public enum BlockSealer {
  /// keccak256 of the header's RLP in Cancun's field order, and that RLP's size. The
  /// withdrawals root is the empty trie's, blob gas used and excess blob gas are zero and
  /// the parent beacon block root is zero: this chain has no consensus layer, no
  /// withdrawals and no blobs. Difficulty is 0 and the nonce eight zero bytes, as after
  /// the merge (EIP-3675); mixHash carries PREVRANDAO, zero here.
  public static func seal(_ header: BlockHeader) -> (hash: Hash32, size: Int) {
    var w = RLPWriter(capacity: 620)
    let list = w.beginList()
    w.append(hash: header.parentHash)
    w.append(hash: emptyUncleHash)
    w.append(address: header.coinbase)
    w.append(hash: header.stateRoot)
    w.append(hash: header.transactionsRoot)
    w.append(hash: header.receiptsRoot)
    w.append(bytes: header.logsBloom.bytes)
    w.append(uint: 0)
    w.append(uint: header.number)
    w.append(uint: header.gasLimit)
    w.append(uint: header.gasUsed)
    w.append(uint: header.timestamp)
    w.append(bytes: header.extraData)
    w.append(hash: header.prevRandao)
    w.append(bytes: [UInt8](repeating: 0, count: 8))
    w.append(uint256: header.baseFeePerGas)
    w.append(hash: Hash32.emptyTrie)
    w.append(uint: 0)
    w.append(uint: 0)
    w.append(hash: .zero)
    w.endList(list)
    return (Keccak256.hash(w.bytes), w.bytes.count)
  }

  /// Fills in `hash` and `size` (the header plus the transactions and the list prefixes
  /// around them, close to the block's RLP size).
  public static func sealed(_ header: BlockHeader, transactionBytes: Int) -> BlockHeader {
    var h = header
    let (hash, size) = seal(h)
    h.hash = hash
    h.size = UInt64(size + transactionBytes + 9)
    return h
  }
}

/// keccak256(RLP([])): the ommers hash of every post-merge block.
let emptyUncleHash = Keccak256.hash([0xc0])
