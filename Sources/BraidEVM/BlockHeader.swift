/// The one block header type of Braid: the sequencer seals it, the store keeps its RLP and
/// the JSON-RPC layer renders it. Its consensus encoding lives here, below all three, so
/// that a block hash means the same thing everywhere.
import BraidPrimitives

/// A post-merge (Cancun) header. The fields a single sequencer always leaves at their
/// constant value (ommers hash, difficulty 0, nonce, withdrawals root, blob gas, parent
/// beacon root) are not fields: `encoded` writes their constants (EIP-3675, EIP-4895,
/// EIP-4844, EIP-4788), and this chain has no consensus layer, no withdrawals, no blobs.
public struct BlockHeader: Sendable, Equatable {
  public var number: UInt64
  public var parentHash: Hash32
  public var stateRoot: Hash32
  public var transactionsRoot: Hash32
  public var receiptsRoot: Hash32
  public var logsBloom: Bloom
  public var coinbase: Address
  public var gasLimit: UInt64
  public var gasUsed: UInt64
  public var timestamp: UInt64
  public var baseFeePerGas: UInt256
  /// PREVRANDAO (EIP-4399), carried in the mixHash position and rendered as `mixHash`.
  public var prevRandao: Hash32
  public var extraData: Bytes

  public init(
    number: UInt64, parentHash: Hash32, stateRoot: Hash32, transactionsRoot: Hash32 = .emptyTrie,
    receiptsRoot: Hash32 = .emptyTrie, logsBloom: Bloom = Bloom(), coinbase: Address = .zero, gasLimit: UInt64,
    gasUsed: UInt64 = 0, timestamp: UInt64, baseFeePerGas: UInt256, prevRandao: Hash32 = .zero, extraData: Bytes = []
  ) {
    self.number = number
    self.parentHash = parentHash
    self.stateRoot = stateRoot
    self.transactionsRoot = transactionsRoot
    self.receiptsRoot = receiptsRoot
    self.logsBloom = logsBloom
    self.coinbase = coinbase
    self.gasLimit = gasLimit
    self.gasUsed = gasUsed
    self.timestamp = timestamp
    self.baseFeePerGas = baseFeePerGas
    self.prevRandao = prevRandao
    self.extraData = extraData
  }

  /// keccak256(rlp([])): every post-merge block has no ommers.
  public static let emptyOmmersHash = Keccak256.hash([0xc0])

  /// The consensus RLP, in Cancun's field order (EIP-1559 base fee, EIP-4895 withdrawals
  /// root, EIP-4844 blob gas used and excess, EIP-4788 parent beacon root, appended in
  /// that order). Its keccak256 is the block hash.
  public var encoded: Bytes {
    var w = RLPWriter(capacity: 620)
    w.appendList { (w: inout RLPWriter) in
      w.append(hash: parentHash)
      w.append(hash: Self.emptyOmmersHash)
      w.append(address: coinbase)
      w.append(hash: stateRoot)
      w.append(hash: transactionsRoot)
      w.append(hash: receiptsRoot)
      w.append(bytes: logsBloom.bytes)
      w.append(uint: 0)  // difficulty
      w.append(uint: number)
      w.append(uint: gasLimit)
      w.append(uint: gasUsed)
      w.append(uint: timestamp)
      w.append(bytes: extraData)
      w.append(hash: prevRandao)
      w.append(bytes: Bytes(repeating: 0, count: 8))  // nonce
      w.append(uint256: baseFeePerGas)
      w.append(hash: .emptyTrie)  // withdrawals root: no withdrawals
      w.append(uint: 0)  // blob gas used
      w.append(uint: 0)  // excess blob gas
      w.append(hash: .zero)  // parent beacon block root
    }
    return w.bytes
  }

  /// keccak256 of `encoded`: computed on every call, so holders that read it often keep
  /// it (`BlockRecord.hash`).
  public var hash: Hash32 { Keccak256.hash(encoded) }

  public init(decoding bytes: Bytes) throws(RLPError) {
    var outer = RLPReader(bytes)
    var h = try outer.readList()
    try outer.finish()
    parentHash = try h.readHash32()
    _ = try h.readHash32()
    coinbase = try h.readAddress()
    stateRoot = try h.readHash32()
    transactionsRoot = try h.readHash32()
    receiptsRoot = try h.readHash32()
    let bloom = try h.readBytes()
    guard bloom.count == Bloom.byteCount else { throw .wrongLength(expected: Bloom.byteCount, actual: bloom.count) }
    logsBloom = Bloom(bytes: bloom)
    _ = try h.readUInt256()
    number = try h.readUInt64()
    gasLimit = try h.readUInt64()
    gasUsed = try h.readUInt64()
    timestamp = try h.readUInt64()
    extraData = try h.readBytes()
    prevRandao = try h.readHash32()
    _ = try h.readBytes()
    baseFeePerGas = try h.readUInt256()
    // Withdrawals root, blob gas used, excess blob gas, beacon root: constant here.
    while !h.isAtEnd { _ = try h.skipItem() }
  }

  /// The environment a transaction "in this block" executes in (`eth_call` at a block,
  /// or replaying it).
  public func environment(chainId: UInt64) -> BlockEnv {
    BlockEnv(
      chainId: chainId, number: number, timestamp: timestamp, coinbase: coinbase, gasLimit: gasLimit,
      baseFee: baseFeePerGas, prevRandao: prevRandao.word)
  }
}
