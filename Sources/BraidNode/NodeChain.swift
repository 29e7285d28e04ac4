/// The node as the JSON-RPC layer sees it: `ChainBackend` over the chain store, the
/// mempool and the sequencer, built from a `Genesis`, in memory (`init`) or over an LMDB
/// store in a data directory (`open`), which it reopens where it left off.
import BraidEVM
import BraidExecution
import BraidPrimitives
import BraidRPC
import BraidStorage
import Dispatch
import Foundation
import Logging
import Synchronization

public struct NodeConfiguration: Sendable {
  public var genesis: Genesis
  public var sequencer: SequencerConfiguration
  public var mempool: MempoolLimits
  /// How many recent blocks' states can be read (calls and queries at older blocks). The
  /// head state is kept once; each older block costs the record of what it overwrote
  /// (`LiveState`), about the size of its writes.
  public var stateHistory: Int
  /// With a data directory, how many recent blocks are also kept in memory in full
  /// (records, transactions, receipts, logs); older ones are read from the store.
  public var retainedBlocks: Int = 1024
  /// `eth_maxPriorityFeePerGas`.
  public var tipCap: UInt256
  /// Seconds since the epoch, for block timestamps.
  public var clock: @Sendable () -> UInt64

  public init(
    genesis: Genesis, sequencer: SequencerConfiguration = SequencerConfiguration(),
    mempool: MempoolLimits = MempoolLimits(), stateHistory: Int = 32, tipCap: UInt256 = 1_000_000_000,
    clock: @escaping @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970) }
  ) {
    self.genesis = genesis
    self.sequencer = sequencer
    self.mempool = mempool
    self.stateHistory = stateHistory
    self.tipCap = tipCap
    self.clock = clock
  }
}

public final class NodeChain: ChainBackend {
  public let configuration: NodeConfiguration
  public let store: ChainStore
  public let mempool: Mempool
  public let sequencer: Sequencer
  private let keys: [Address: Bytes]
  /// Derivation order: `eth_accounts[0]` is the mnemonic's first account, as tutorials
  /// written for anvil and hardhat expect.
  private let accountOrder: [Address]
  private let waiters: ReceiptWaiters

  private let metrics: NodeMetrics?

  /// Where blocks and the submission journal are kept; nil for a chain in memory.
  public let persistent: Store?
  private let journal: SubmissionJournal?
  /// Where single submissions have their senders recovered together; nil where the CPU
  /// lacks the eight-lane path.
  private let recovery: SenderRecovery?

  /// A chain in memory only, starting at its genesis.
  public convenience init(
    _ configuration: NodeConfiguration, metrics: NodeMetrics? = nil,
    logger: Logger = Logger(label: "braid.node")
  ) {
    let (record, state) = Self.genesisBlock(configuration.genesis)
    let chain = ChainStore(genesis: record, state: state, stateHistory: configuration.stateHistory)
    self.init(configuration, chain: chain, persistent: nil, metrics: metrics, logger: logger)
  }

  /// Opens (creating when empty) the store in `dataDirectory` and continues its chain:
  /// the state after the stored head, the last blocks for BLOCKHASH and reads, and every
  /// journaled transaction not yet in a block back in the pool. A new store gets the
  /// genesis as block 0; a store holding another chain is refused.
  /// `adoptStoredTimestamp`: the configured genesis was made with the current time (the
  /// dev chain), so a reopened store's block 0 timestamp replaces it.
  public static func open(
    _ configuration: NodeConfiguration, dataDirectory: String, adoptStoredTimestamp: Bool = false,
    metrics: NodeMetrics? = nil, logger: Logger = Logger(label: "braid.node")
  ) throws(NodeOpenError) -> NodeChain {
    do {
      let store = try Store.open(path: dataDirectory)
      var configuration = configuration
      if adoptStoredTimestamp, let stored = try store.header(number: 0) {
        configuration.genesis.timestamp = stored.timestamp
      }
      let (genesis, genesisState) = genesisBlock(configuration.genesis)
      guard let head = try store.headNumber() else {
        try store.setChainId(configuration.genesis.chainId)
        try store.commitBlock(StoredChain.genesis(genesis.header, state: genesisState))
        let chain = ChainStore(
          genesis: genesis, state: genesisState, stateHistory: configuration.stateHistory, persistent: store,
          retainedBlocks: configuration.retainedBlocks)
        logger.info("new chain", metadata: ["dataDir": "\(dataDirectory)", "genesis": "\(genesis.hash)"])
        return NodeChain(
          configuration, chain: chain, persistent: store, metrics: metrics,
          logger: logger)
      }
      let storedGenesis = try store.genesisHash()
      guard storedGenesis == genesis.hash else {
        throw NodeOpenError(
          "\(dataDirectory) holds another chain: genesis \(storedGenesis.map { "\($0)" } ?? "missing"), "
            + "configured \(genesis.hash)")
      }
      let state = try store.loadState()
      // The last 256 records: BLOCKHASH's window, read once here rather than per block.
      var recent: [BlockRecord] = []
      for number in (head > 255 ? head - 255 : 0)...head {
        guard let record = try store.blockRecord(number: number) else {
          throw NodeOpenError("\(dataDirectory): block \(number) is missing below the head \(head)")
        }
        recent.append(record)
      }
      let root = state.stateRoot()
      guard root == recent[recent.count - 1].header.stateRoot else {
        throw NodeOpenError(
          "\(dataDirectory): the stored state's root \(root) is not block \(head)'s \(recent[recent.count - 1].header.stateRoot)"
        )
      }
      let chain = ChainStore(
        reopened: recent, state: state, stateHistory: configuration.stateHistory, persistent: store,
          retainedBlocks: configuration.retainedBlocks)
      let node = NodeChain(
        configuration, chain: chain, persistent: store, metrics: metrics, logger: logger)
      let (replayed, dropped) = try node.replayJournal()
      logger.info(
        "reopened chain",
        metadata: [
          "dataDir": "\(dataDirectory)", "head": "\(head)", "journalReplayed": "\(replayed)",
          "journalDropped": "\(dropped)",
        ])
      return node
    } catch let error as NodeOpenError {
      throw error
    } catch {
      throw NodeOpenError("\(dataDirectory): \(error)")
    }
  }

  /// Block 0 of `genesis` and the state after it.
  static func genesisBlock(_ genesis: Genesis) -> (BlockRecord, InMemoryState) {
    let state = InMemoryState(accounts: genesis.alloc)
    let header = BlockHeader(
      number: 0, parentHash: .zero, stateRoot: state.stateRoot(), coinbase: genesis.coinbase,
      gasLimit: genesis.gasLimit, timestamp: genesis.timestamp, baseFeePerGas: genesis.baseFee)
    return (BlockRecord(header: header, transactionHashes: [], transactionBytes: 0), state)
  }

  private init(
    _ configuration: NodeConfiguration, chain: ChainStore, persistent: Store?,
    metrics: NodeMetrics?, logger: Logger
  ) {
    self.configuration = configuration
    let genesis = configuration.genesis
    let header = chain.head.header
    store = chain
    self.persistent = persistent

    let wake = DispatchSemaphore(value: 0)
    let maxTransactions = configuration.sequencer.maxTransactions
    let gasLimit = genesis.gasLimit
    let nextBaseFee = FeeMarket.nextBaseFee(parent: header)
    mempool = Mempool(
      rules: AdmissionRules(chainId: genesis.chainId, blockGasLimit: genesis.gasLimit),
      limits: configuration.mempool,
      head: .view(chain.headAndState().1), baseFee: header.number == 0 ? genesis.firstBlockBaseFee ?? nextBaseFee : nextBaseFee,
      journaling: persistent != nil,
      onPendingChange: { before, after in
        let wasFull = before.count >= maxTransactions || before.gas >= gasLimit
        let isFull = after.count >= maxTransactions || after.gas >= gasLimit
        if before.count == 0 || (isFull && !wasFull) { wake.signal() }
      })
    let waiters = ReceiptWaiters()
    self.waiters = waiters
    self.metrics = metrics
    let pool = mempool
    sequencer = Sequencer(
      configuration: configuration.sequencer, chainId: genesis.chainId, coinbase: genesis.coinbase,
      gasLimit: genesis.gasLimit, firstBlockBaseFee: genesis.firstBlockBaseFee, mempool: mempool,
      store: store, persistent: persistent, wake: wake, clock: configuration.clock,
      onBlock: { outcome in
        if let block = outcome.block {
          logger.info(
            "block",
            metadata: [
              "number": "\(block.header.number)", "transactions": "\(block.receipts.count)",
              "excluded": "\(outcome.excluded.count)", "gasUsed": "\(block.header.gasUsed)",
              "execution": "\(outcome.executionTime)", "stateRoot": "\(outcome.stateRootTime)",
              "commit": "\(outcome.commitTime)",
            ])
        } else if !outcome.excluded.isEmpty {
          logger.info(
            "no block: every selected transaction was excluded",
            metadata: ["excluded": "\(outcome.excluded.count)"])
        }
        waiters.blockMade(outcome)
        metrics?.block(outcome, pool: pool)
      })
    recovery =
      SenderRecovery.isWorthwhile
      ? SenderRecovery(rules: mempool.rules, onRound: { metrics?.recoveryRound($0) }) : nil
    journal = persistent.map { store in
      SubmissionJournal(store: store, mempool: pool, onBatch: { metrics?.journalBatch($0, $1) })
    }

    var keys: [Address: Bytes] = [:]
    var order: [Address] = []
    for key in genesis.devKeys {
      if let address = TransactionSigner.address(privateKey: key),
        keys.updateValue(key, forKey: address) == nil
      {
        order.append(address)
      }
    }
    self.keys = keys
    self.accountOrder = order
  }

  /// Starts the sequencer thread.
  public func start() { sequencer.start() }

  /// Stops the sequencer after the block in progress (committed before this returns),
  /// then writes what the journal has queued. What is still pending stays journaled and
  /// comes back on the next `open`.
  public func stop() {
    sequencer.stop()
    recovery?.stop()
    journal?.stop()
  }

  /// Puts the journaled transactions back in the pool, in journal order, and deletes the
  /// entries of those the pool now refuses (included meanwhile can no longer happen: a
  /// block deletes its transactions' entries as it commits, but a replaced or
  /// underfunded one can). Returns how many came back and how many were dropped.
  func replayJournal() throws(LMDBError) -> (replayed: Int, dropped: Int) {
    guard let persistent else { return (0, 0) }
    var kept: [(hash: Hash32, sequence: UInt64)] = []
    var stale: [UInt64] = []
    for (sequence, raw) in try persistent.journalEntries() {
      switch mempool.add(raw: raw) {
      case .success(let signed): kept.append((signed.hash, sequence))
      case .failure: stale.append(sequence)
      }
    }
    mempool.markJournaled(kept)
    try persistent.deleteJournalEntries(stale)
    return (kept.count, stale.count)
  }

  // MARK: ChainBackend

  public var chainId: UInt64 { configuration.genesis.chainId }
  public func headNumber() -> UInt64 { store.headNumber }
  public func isReady() -> Bool { true }
  public func block(number: UInt64) -> BlockRecord? { store.block(number: number) }
  public func block(hash: Hash32) -> BlockRecord? { store.block(hash: hash) }

  /// A recent block's state (BLOCKHASH answered from the chain).
  public func state(atBlock number: UInt64) -> StateView? { store.state(atBlock: number) }

  public func stateProof(of address: Address, slots: [UInt256], atBlock number: UInt64, stateRoot: Hash32)
    -> StateProof?
  {
    sequencer.stateProof(of: address, slots: slots, stateRoot: stateRoot)
  }

  public func pendingNonce(of address: Address) -> UInt64 { mempool.pendingNonce(of: address) }

  public func transaction(hash: Hash32) -> TransactionRecord? {
    if let t = store.transaction(hash: hash) { return t }
    return mempool.transaction(hash: hash).map {
      TransactionRecord(signed: $0.signed, location: nil, effectiveGasPrice: $0.transaction.maxFeePerGas)
    }
  }

  public func receipt(hash: Hash32) -> ReceiptRecord? { store.receipt(hash: hash) }

  public func txPoolContent(from sender: Address?) -> TxPoolContent {
    var content = TxPoolContent()
    for (address, t, pending) in mempool.content(of: sender) {
      let record = TransactionRecord(
        signed: t.signed, location: nil, effectiveGasPrice: t.transaction.maxFeePerGas)
      if pending {
        content.pending[address, default: [:]][t.transaction.nonce] = record
      } else {
        content.queued[address, default: [:]][t.transaction.nonce] = record
      }
    }
    return content
  }

  public func status(ofTransaction hash: Hash32) -> TransactionStatus {
    if let t = store.transaction(hash: hash), let r = store.receipt(hash: hash) { return .included(t, r) }
    if let t = transaction(hash: hash) { return .pending(t) }
    if let reason = mempool.rejectionReason(hash: hash) { return .rejected(reason: reason) }
    return .unknown
  }

  public func logs(inBlock number: UInt64) -> [LogRecord] { store.logs(inBlock: number) }
  public func suggestedTipCap() -> UInt256 { configuration.tipCap }
  public func devAccounts() -> [Address] { accountOrder }

  public func sign(_ transaction: Transaction) throws(RPCError) -> Bytes {
    try TransactionSigner.sign(transaction, withKeyFrom: keys)
  }

  /// Answers once the transaction is journaled (group-committed with other submissions),
  /// from the journal's thread; without a store, at once.
  public func submit(
    rawTransaction: Bytes, completion: @escaping @Sendable (Result<Hash32, RPCError>) -> Void
  ) {
    admit(rawTransaction) { [self] result in
      switch result {
      case .failure(let error): completion(.failure(.server(error.message)))
      case .success(let signed): journaled(signed) { completion(.success(signed.hash)) }
      }
    }
  }

  /// Decodes and recovers the sender, the expensive part of admission, on the caller's
  /// thread; `submit(prepared:)` then checks and queues.
  public func prepareSubmission(rawTransaction: Bytes) -> PreparedSubmission {
    do {
      return PreparedSubmission(raw: rawTransaction, decoded: try mempool.rules.decode(rawTransaction))
    } catch {
      return PreparedSubmission(raw: rawTransaction, refusal: error.message)
    }
  }

  /// `prepareSubmission` for many at once, the senders recovered together.
  public func prepareSubmissions(rawTransactions: [Bytes]) -> [PreparedSubmission] {
    zip(rawTransactions, mempool.rules.decodeAll(rawTransactions)).map { raw, result in
      switch result {
      case .success(let signed): PreparedSubmission(raw: raw, decoded: signed)
      case .failure(let error): PreparedSubmission(raw: raw, refusal: error.message)
      }
    }
  }

  public func submit(
    prepared: PreparedSubmission, completion: @escaping @Sendable (Result<Hash32, RPCError>) -> Void
  ) {
    let result: Result<SignedTransaction, AdmissionError>
    if let signed = prepared.decoded {
      result = mempool.add(signed).map { signed }
    } else if let refusal = prepared.refusal {
      result = .failure(AdmissionError(refusal))
    } else {
      submit(rawTransaction: prepared.raw, completion: completion)
      return
    }
    recordAdmission(result)
    switch result {
    case .failure(let error): completion(.failure(.server(error.message)))
    case .success(let signed): journaled(signed) { completion(.success(signed.hash)) }
    }
  }

  /// Runs `then` once `signed` is durable.
  private func journaled(_ signed: SignedTransaction, then: @escaping @Sendable () -> Void) {
    if let journal {
      journal.append(raw: signed.raw, hash: signed.hash, done: then)
    } else {
      then()
    }
  }

  public func submitAndWait(
    rawTransaction: Bytes, timeout: Duration,
    completion: @escaping @Sendable (Result<ReceiptRecord, RPCError>) -> Void
  ) {
    admit(rawTransaction) { [self] result in
      switch result {
      case .failure(let error):
        completion(.failure(.server(error.message)))
      case .success(let signed):
        journaled(signed) { [waiters, store] in
          waiters.wait(
            for: signed.hash, timeout: timeout, lookup: { store.receipt(hash: signed.hash) }, completion)
        }
      }
    }
  }
}

/// Why a data directory could not be opened as this node's chain.
public struct NodeOpenError: Error, Sendable, CustomStringConvertible {
  public var description: String
  init(_ description: String) { self.description = description }
}

extension NodeChain {
  /// Decodes and admits `raw`, then calls `then`: on the recovery thread, with the sender
  /// recovered together with others queued meanwhile, or on the caller's thread.
  fileprivate func admit(
    _ raw: Bytes, then: @escaping @Sendable (Result<SignedTransaction, AdmissionError>) -> Void
  ) {
    guard let recovery else {
      let result = mempool.add(raw: raw)
      recordAdmission(result)
      return then(result)
    }
    recovery.decode(raw) { [self] decoded in
      let result = decoded.flatMap { signed in mempool.add(signed).map { signed } }
      recordAdmission(result)
      then(result)
    }
  }

  fileprivate func recordAdmission(_ result: Result<SignedTransaction, AdmissionError>) {
    guard let metrics else { return }
    switch result {
    case .success: metrics.admission(nil)
    case .failure(let e): metrics.admission(e)
    }
  }
}

/// `eth_sendRawTransactionSync` callers waiting for their receipt. Each waiter is answered
/// exactly once: by the block that includes (or excludes) its transaction, by the lookup
/// right after registering (the block may have come first), or by its timeout, whichever
/// takes it out of the table first.
final class ReceiptWaiters: Sendable {
  typealias Completion = @Sendable (Result<ReceiptRecord, RPCError>) -> Void
  private struct Table {
    var nextId: UInt64 = 0
    var byHash: [Hash32: [(id: UInt64, completion: Completion)]] = [:]
  }
  private let table = Mutex(Table())

  func wait(
    for hash: Hash32, timeout: Duration, lookup: () -> ReceiptRecord?, _ completion: @escaping Completion
  ) {
    let id: UInt64 = table.withLock { t in
      t.nextId += 1
      t.byHash[hash, default: []].append((t.nextId, completion))
      return t.nextId
    }
    if let receipt = lookup(), let c = take(hash, id) {
      c(.success(receipt))
      return
    }
    let parts = timeout.components
    let nanos = Int(parts.seconds) * 1_000_000_000 + Int(parts.attoseconds / 1_000_000_000)
    DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanos)) { [self] in
      take(hash, id)?(.failure(.syncTimeout(hash, milliseconds: nanos / 1_000_000)))
    }
  }

  private func take(_ hash: Hash32, _ id: UInt64) -> Completion? {
    table.withLock { t in
      guard var list = t.byHash[hash], let i = list.firstIndex(where: { $0.id == id }) else { return nil }
      let c = list.remove(at: i).completion
      t.byHash[hash] = list.isEmpty ? nil : list
      return c
    }
  }

  func blockMade(_ outcome: BlockOutcome) {
    var answers: [(Completion, Result<ReceiptRecord, RPCError>)] = []
    table.withLock { t in
      guard !t.byHash.isEmpty else { return }
      for r in outcome.block?.receipts ?? [] {
        for w in t.byHash.removeValue(forKey: r.transactionHash) ?? [] {
          answers.append((w.completion, .success(r)))
        }
      }
      for (hash, reason) in outcome.excluded {
        for w in t.byHash.removeValue(forKey: hash) ?? [] {
          answers.append((w.completion, .failure(.server(reason))))
        }
      }
    }
    for (c, result) in answers { c(result) }
  }
}
