/// A complete chain in memory: every submitted transaction is executed at once and mined
/// into its own block. It is the `ChainBackend` the JSON-RPC tests run against and what
/// `braid serve` serves until the node replaces it.
///
/// What it leaves out, on purpose: there is no mempool (a transaction is mined or
/// refused on arrival), the state, transactions and receipts roots are zero because
/// building tries is the node's job, and the timestamp of block n is the genesis
/// timestamp plus n seconds so runs are reproducible.
import BraidEVM
import BraidExecution
import BraidPrimitives
import Synchronization

public final class InMemoryChain: ChainBackend {
  public struct Configuration: Sendable {
    public var chainId: UInt64
    public var gasLimit: UInt64
    public var genesisBaseFee: UInt256
    public var coinbase: Address
    public var genesisTimestamp: UInt64
    public var alloc: [Address: AccountState]
    /// Private keys of the accounts `eth_sendTransaction` may sign for.
    public var devKeys: [Bytes]
    public var tipCap: UInt256
    /// How many recent blocks' states are kept for queries at older blocks.
    public var stateHistory: Int

    public init(
      chainId: UInt64 = 1337, gasLimit: UInt64 = 30_000_000, genesisBaseFee: UInt256 = 1_000_000_000,
      coinbase: Address = .zero, genesisTimestamp: UInt64 = 1_700_000_000, alloc: [Address: AccountState] = [:],
      devKeys: [Bytes] = [], tipCap: UInt256 = 1_000_000_000, stateHistory: Int = 256
    ) {
      self.chainId = chainId
      self.gasLimit = gasLimit
      self.genesisBaseFee = genesisBaseFee
      self.coinbase = coinbase
      self.genesisTimestamp = genesisTimestamp
      self.alloc = alloc
      self.devKeys = devKeys
      self.tipCap = tipCap
      self.stateHistory = stateHistory
    }
  }

  /// A block's state plus the chain's block hashes for BLOCKHASH.
  public struct Snapshot: StateReader, Sendable {
    public let state: InMemoryState
    let hashes: [Hash32]

    public func balance(of address: Address) -> UInt256 { state.balance(of: address) }
    public func nonce(of address: Address) -> UInt64 { state.nonce(of: address) }
    public func code(of address: Address) -> Code { state.code(of: address) }
    public func storage(of address: Address, slot: UInt256) -> UInt256 { state.storage(of: address, slot: slot) }
    public func hasStorage(_ address: Address) -> Bool { state.hasStorage(address) }
    public func blockHash(number: UInt64) -> Hash32 { number < hashes.count ? hashes[Int(number)] : .zero }
  }

  private struct Chain: Sendable {
    var blocks: [BlockRecord] = []
    var hashes: [Hash32] = []
    /// States after recent blocks, by block number.
    var states: [UInt64: InMemoryState] = [:]
    var head = InMemoryState()
    var transactions: [Hash32: TransactionRecord] = [:]
    var receipts: [Hash32: ReceiptRecord] = [:]
    var logs: [[LogRecord]] = []
    var rejected: [Hash32: String] = [:]
    var blockNumbers: [Hash32: UInt64] = [:]
  }

  public let configuration: Configuration
  private let chain: Mutex<Chain>
  private let keys: [Address: Bytes]

  public init(_ configuration: Configuration = Configuration()) {
    self.configuration = configuration
    var keys: [Address: Bytes] = [:]
    for key in configuration.devKeys {
      if let address = TransactionSigner.address(privateKey: key) { keys[address] = key }
    }
    self.keys = keys
    var c = Chain()
    c.head = InMemoryState(accounts: configuration.alloc)
    let genesis = Self.makeBlock(
      number: 0, parent: .zero, timestamp: configuration.genesisTimestamp, baseFee: configuration.genesisBaseFee,
      gasUsed: 0, bloom: Bloom(), stateRoot: c.head.stateRoot(), configuration: configuration,
      transactions: [])
    c.blocks.append(genesis)
    c.hashes.append(genesis.hash)
    c.blockNumbers[genesis.hash] = 0
    c.states[0] = c.head
    c.logs.append([])
    chain = Mutex(c)
  }

  // MARK: ChainBackend

  public var chainId: UInt64 { configuration.chainId }

  public func headNumber() -> UInt64 { chain.withLock { UInt64($0.blocks.count - 1) } }

  public func isReady() -> Bool { true }

  public func block(number: UInt64) -> BlockRecord? {
    chain.withLock { number < $0.blocks.count ? $0.blocks[Int(number)] : nil }
  }

  public func block(hash: Hash32) -> BlockRecord? {
    chain.withLock { c in c.blockNumbers[hash].map { c.blocks[Int($0)] } }
  }

  public func state(atBlock number: UInt64) -> Snapshot? {
    chain.withLock { c in c.states[number].map { Snapshot(state: $0, hashes: c.hashes) } }
  }

  public func pendingNonce(of address: Address) -> UInt64 { chain.withLock { $0.head.nonce(of: address) } }

  /// Builds the block's tries from scratch for each request: a development and test chain
  /// keeps no tries between blocks.
  public func stateProof(of address: Address, slots: [UInt256], atBlock number: UInt64, stateRoot: Hash32)
    -> StateProof?
  {
    guard let state = chain.withLock({ $0.states[number] }) else { return nil }
    let tracker = StateRootTracker(state: state)
    guard tracker.root == stateRoot else { return nil }
    return tracker.proof(of: address, slots: slots)
  }

  public func transaction(hash: Hash32) -> TransactionRecord? { chain.withLock { $0.transactions[hash] } }

  public func receipt(hash: Hash32) -> ReceiptRecord? { chain.withLock { $0.receipts[hash] } }

  public func status(ofTransaction hash: Hash32) -> TransactionStatus {
    chain.withLock { c in
      if let tx = c.transactions[hash], let receipt = c.receipts[hash] { return .included(tx, receipt) }
      if let reason = c.rejected[hash] { return .rejected(reason: reason) }
      return .unknown
    }
  }

  public func logs(inBlock number: UInt64) -> [LogRecord] {
    chain.withLock { number < $0.logs.count ? $0.logs[Int(number)] : [] }
  }

  public func suggestedTipCap() -> UInt256 { configuration.tipCap }

  public func devAccounts() -> [Address] { keys.keys.sorted() }

  public func sign(_ transaction: Transaction) throws(RPCError) -> Bytes {
    try TransactionSigner.sign(transaction, withKeyFrom: keys)
  }

  public func submit(rawTransaction: Bytes, completion: @escaping @Sendable (Result<Hash32, RPCError>) -> Void) {
    completion(mine(rawTransaction).map(\.transactionHash))
  }

  public func submitAndWait(
    rawTransaction: Bytes, timeout: Duration, completion: @escaping @Sendable (Result<ReceiptRecord, RPCError>) -> Void
  ) {
    completion(mine(rawTransaction))
  }

  // MARK: Mining

  /// Decodes, executes and mines one transaction into a new block.
  public func mine(_ raw: Bytes) -> Result<ReceiptRecord, RPCError> {
    let signed: SignedTransaction
    do {
      signed = try SignedTransaction.decode(raw)
    } catch {
      return .failure(.server(error.description))
    }
    return chain.withLock { c in
      if c.transactions[signed.hash] != nil { return .failure(.alreadyKnown) }
      let parent = c.blocks[c.blocks.count - 1].header
      let number = parent.number + 1
      let baseFee = FeeMarket.nextBaseFee(parent: parent)
      let timestamp = configuration.genesisTimestamp + number
      let env = BlockEnv(
        chainId: configuration.chainId, number: number, timestamp: timestamp, coinbase: configuration.coinbase,
        gasLimit: configuration.gasLimit, baseFee: baseFee)
      let result: ExecutionResult
      do throws(TransactionError) {
        result = try EVM.execute(signed.transaction, block: env, state: Snapshot(state: c.head, hashes: c.hashes))
      } catch {
        c.rejected[signed.hash] = error.description
        return .failure(.rejected(error))
      }
      c.rejected[signed.hash] = nil
      c.head.apply(result.diff)

      var bloom = Bloom()
      for log in result.logs { bloom.add(log: log.address, topics: log.topics) }
      let block = Self.makeBlock(
        number: number, parent: c.hashes[c.hashes.count - 1], timestamp: timestamp, baseFee: baseFee, gasUsed: result.gasUsed,
        bloom: bloom, stateRoot: c.head.stateRoot(), configuration: configuration, transactions: [signed])
      let location = TransactionLocation(blockNumber: number, blockHash: block.hash, index: 0)
      let logs = result.logs.enumerated().map {
        LogRecord(log: $1, location: location, transactionHash: signed.hash, logIndex: $0)
      }
      let tx = signed.transaction
      let receipt = ReceiptRecord(
        transactionHash: signed.hash, location: location, from: tx.sender, to: tx.to, type: tx.type,
        success: result.success, cumulativeGasUsed: result.gasUsed, gasUsed: result.gasUsed,
        effectiveGasPrice: result.effectiveGasPrice, contractAddress: result.createdAddress, logs: logs,
        logsBloom: bloom)

      c.blocks.append(block)
      c.hashes.append(block.hash)
      c.blockNumbers[block.hash] = number
      c.logs.append(logs)
      c.transactions[signed.hash] = TransactionRecord(
        signed: signed, location: location, effectiveGasPrice: result.effectiveGasPrice)
      c.receipts[signed.hash] = receipt
      c.states[number] = c.head
      if number >= UInt64(configuration.stateHistory) { c.states[number - UInt64(configuration.stateHistory)] = nil }
      return .success(receipt)
    }
  }

  /// The state root is real (recomputed from scratch: a test chain is small), the
  /// transactions and receipts roots are left zero.
  private static func makeBlock(
    number: UInt64, parent: Hash32, timestamp: UInt64, baseFee: UInt256, gasUsed: UInt64, bloom: Bloom,
    stateRoot: Hash32, configuration: Configuration, transactions: [SignedTransaction]
  ) -> BlockRecord {
    let header = BlockHeader(
      number: number, parentHash: parent, stateRoot: stateRoot, transactionsRoot: .zero, receiptsRoot: .zero,
      logsBloom: bloom, coinbase: configuration.coinbase, gasLimit: configuration.gasLimit, gasUsed: gasUsed,
      timestamp: timestamp, baseFeePerGas: baseFee)
    return BlockRecord(
      header: header, transactionHashes: transactions.map(\.hash),
      transactionBytes: transactions.reduce(0) { $0 + $1.raw.count + 3 })
  }
}
