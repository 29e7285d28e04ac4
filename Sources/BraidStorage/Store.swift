/// Braid's persistent chain: world state, blocks, receipts, the transaction index and the
/// submission journal, in one LMDB environment.
///
/// The node executes in memory and persists through two doors. Admission appends accepted
/// transactions to the journal (`appendJournal`, one fsync per batch, so the caller groups
/// concurrent submissions into one call) before answering. The sequencer then commits each
/// block with `commitBlock`: one write transaction holding the block's state changes, its
/// header, transactions, receipts and index entries, the new head, and the removal of the
/// journal entries the block consumed. LMDB commits a transaction atomically, so after a
/// crash the store holds whole blocks only, and every accepted transaction is either in a
/// block or still in the journal.
///
/// Readers take a `StateSnapshot` (`stateReader()`): a read transaction over the last
/// committed block. LMDB's copy-on-write pages let it read while the writer commits the
/// next block, without locks and without seeing a partial block.
import BraidEVM
import BraidPrimitives
import CLMDB
import Foundation

public final class Store: Sendable {
  let env: LMDBEnvironment
  let tables: Tables
  let lock: DirectoryLock
  public let path: String

  /// Opens the store in directory `path`, creating the directory and tables when absent.
  /// `mapSize` bounds the data file; it only reserves address space.
  public init(path: String, mapSize: Int = 64 << 30) throws(LMDBError) {
    do {
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
      throw .cannotCreateDirectory(path: path, reason: "\(error)")
    }
    self.path = path
    lock = try DirectoryLock(directory: path)
    env = try LMDBEnvironment(path: path, mapSize: mapSize, maxDatabases: Tables.count)
    tables = try Tables(env)
  }

  public static func open(path: String, mapSize: Int = 64 << 30) throws(LMDBError) -> Store {
    try Store(path: path, mapSize: mapSize)
  }

  // MARK: Blocks

  /// Writes `block` and its state changes and makes it the head, in one transaction: on
  /// any error nothing of it is stored. Block numbers must follow the head without gaps,
  /// starting at 0 (genesis, whose hash is recorded as the chain's genesis hash);
  /// anything else is `blockOutOfOrder`, so a restarted node cannot overwrite a block.
  public func commitBlock(_ block: CommittedBlock) throws(LMDBError) {
    let number = block.header.number
    let headerBytes = block.header.encoded
    let hash = Keccak256.hash(headerBytes)
    let t = tables
    try env.write { (txn) throws(LMDBError) in
      let head = try Self.readUInt64(txn, t.meta, MetaKey.head)
      guard number == head.map({ $0 + 1 }) ?? 0 else { throw .blockOutOfOrder(head: head, got: number) }

      try applyChanges(block.changes, in: txn)

      let key = Keys.number(number)
      try txn.put(t.headers, key: key, value: headerBytes)
      try txn.put(t.blockHashes, key: hash.bytes, value: key)
      try txn.put(t.blockTxs, key: key, value: encodeByteStrings(block.transactions))
      try txn.put(t.receipts, key: key, value: StoredReceipt.encodeList(block.receipts))
      for (i, txHash) in block.transactionHashes.enumerated() {
        try txn.put(t.txIndex, key: txHash.bytes, value: Keys.location(block: number, index: UInt32(i)))
      }
      try txn.put(t.meta, key: MetaKey.head, value: key)
      if number == 0 { try txn.put(t.meta, key: MetaKey.genesisHash, value: hash.bytes) }
      if let through = block.journalThrough { try Self.truncateJournal(through: through, txn: txn, t.journal) }
      for sequence in block.journalSequences { try txn.delete(t.journal, key: Keys.number(sequence)) }
    }
  }

  /// Applies one merged change per account. Accounts and slots go in key order, so that
  /// LMDB's B-tree inserts walk the pages once instead of jumping around.
  private func applyChanges(_ changes: StateDiff, in txn: LMDBTransaction) throws(LMDBError) {
    let t = tables
    for address in changes.accounts.keys.sorted() {
      let change = changes.accounts[address]!
      var addressKey = Bytes(repeating: 0, count: 20)
      Keys.writeAddress(address, into: &addressKey)
      if change.deleted {
        try txn.delete(t.accounts, key: addressKey)
        try wipeStorage(of: addressKey, in: txn)
        continue
      }
      var account = StoredAccount(nonce: 0, balance: .zero, codeHash: .emptyCode)
      if change.balance == nil || change.nonce == nil || change.code == nil {
        if let stored = try txn.get(t.accounts, key: addressKey) {
          account = try withBytes(stored) { (raw) throws(LMDBError) in try StoredAccount(decoding: raw) }
        }
      }
      if change.storageCleared { try wipeStorage(of: addressKey, in: txn) }
      if let b = change.balance { account.balance = b }
      if let d = change.balanceDelta { account.balance = account.balance &+ d }
      if let n = change.nonce { account.nonce = n }
      if let code = change.code {
        account.codeHash = code.hash
        if !code.isEmpty, try txn.get(t.code, key: code.hash.bytes) == nil {
          try txn.put(t.code, key: code.hash.bytes, value: code.bytes)
        }
      }
      try txn.put(t.accounts, key: addressKey, value: account.encoded)
      for slot in change.storage.keys.sorted(by: <) {
        let value = change.storage[slot]!
        let key = Keys.storage(address, slot)
        if value.isZero {
          try txn.delete(t.storage, key: key)
        } else {
          try txn.put(t.storage, key: key, value: value.minimalBigEndianBytes)
        }
      }
    }
  }

  /// Removes every slot of the account whose 20-byte key is `address`: one key range.
  private func wipeStorage(of address: Bytes, in txn: LMDBTransaction) throws(LMDBError) {
    try txn.withCursor(tables.storage) { (c) throws(LMDBError) in
      var entry = try c.seek(atLeast: address)
      while let e = entry, e.key.count >= 20, e.key.prefix(20).elementsEqual(address) {
        try c.deleteCurrent()
        // After a delete LMDB leaves the cursor on the following entry; MDB_NEXT returns it.
        entry = try c.next()
      }
    }
  }

  static func readUInt64(_ txn: LMDBTransaction, _ db: LMDBDatabase, _ key: Bytes) throws(LMDBError) -> UInt64? {
    try withBytes(key) { (k) throws(LMDBError) in
      try txn.withValue(db, key: k) { (v) throws(LMDBError) in
        try v.map { (raw) throws(LMDBError) in try Keys.decodeNumber(raw, table: db.name) }
      }
    }
  }

  /// The latest committed block, nil before genesis.
  public func headNumber() throws(LMDBError) -> UInt64? {
    let t = tables
    return try env.read { (txn) throws(LMDBError) in try Self.readUInt64(txn, t.meta, MetaKey.head) }
  }

  public func genesisHash() throws(LMDBError) -> Hash32? {
    let t = tables
    return try env.read { (txn) throws(LMDBError) in try txn.get(t.meta, key: MetaKey.genesisHash).map { Hash32($0) } }
  }

  public func chainId() throws(LMDBError) -> UInt64? {
    let t = tables
    return try env.read { (txn) throws(LMDBError) in try Self.readUInt64(txn, t.meta, MetaKey.chainId) }
  }

  /// Records the chain id (once, when the node first creates its chain).
  public func setChainId(_ id: UInt64) throws(LMDBError) {
    let t = tables
    try env.write { (txn) throws(LMDBError) in try txn.put(t.meta, key: MetaKey.chainId, value: Keys.number(id)) }
  }

  public func header(number: UInt64) throws(LMDBError) -> BlockHeader? {
    let t = tables
    guard let bytes = try env.read({ (txn) throws(LMDBError) in try txn.get(t.headers, key: Keys.number(number)) }) else {
      return nil
    }
    do throws(RLPError) { return try BlockHeader(decoding: bytes) } catch { throw .corruptValue(table: "headers", reason: error.description) }
  }

  public func blockNumber(hash: Hash32) throws(LMDBError) -> UInt64? {
    let t = tables
    return try env.read { (txn) throws(LMDBError) in try Self.readUInt64(txn, t.blockHashes, hash.bytes) }
  }

  public func header(hash: Hash32) throws(LMDBError) -> BlockHeader? {
    guard let number = try blockNumber(hash: hash) else { return nil }
    return try header(number: number)
  }

  /// The block's transactions (EIP-2718 bytes) in order; nil for a block not stored.
  public func transactions(inBlock number: UInt64) throws(LMDBError) -> [Bytes]? {
    let t = tables
    return try env.read { (txn) throws(LMDBError) in
      try withBytes(Keys.number(number)) { (k) throws(LMDBError) in
        try txn.withValue(t.blockTxs, key: k) { (v) throws(LMDBError) in
          try v.map { (raw) throws(LMDBError) in try decodeByteStrings(raw, table: "blockTxs") }
        }
      }
    }
  }

  public func receipts(inBlock number: UInt64) throws(LMDBError) -> [StoredReceipt]? {
    let t = tables
    guard let bytes = try env.read({ (txn) throws(LMDBError) in try txn.get(t.receipts, key: Keys.number(number)) }) else {
      return nil
    }
    do throws(RLPError) { return try StoredReceipt.decodeList(bytes) } catch { throw .corruptValue(table: "receipts", reason: error.description) }
  }

  /// Where the transaction with this hash was included; nil when it is in no block.
  public func transactionPosition(hash: Hash32) throws(LMDBError) -> TransactionPosition? {
    let t = tables
    guard let bytes = try env.read({ (txn) throws(LMDBError) in try txn.get(t.txIndex, key: hash.bytes) }) else {
      return nil
    }
    guard bytes.count == 12 else { throw .corruptValue(table: "txIndex", reason: "\(bytes.count)-byte location") }
    let number = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    let index = bytes[8..<12].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    return TransactionPosition(blockNumber: number, index: Int(index))
  }

  // MARK: State

  /// A reader over the state after the head block, as of now; later commits do not change
  /// what it sees. Release it soon: LMDB cannot reuse pages a live snapshot still reads.
  public func stateReader() throws(LMDBError) -> StateSnapshot {
    try StateSnapshot(env: env, tables: tables)
  }

  /// The whole world state after the head block, for a node that executes in memory.
  public func loadState() throws(LMDBError) -> InMemoryState {
    let t = tables
    return try env.read { (txn) throws(LMDBError) in
      var state = InMemoryState()
      var codes: [Hash32: Code] = [:]
      try txn.withCursor(t.accounts) { (c) throws(LMDBError) in
        var entry = try c.first()
        while let e = entry {
          guard e.key.count == 20 else { throw .corruptValue(table: "accounts", reason: "\(e.key.count)-byte key") }
          let stored = try StoredAccount(decoding: e.value)
          var code = Code.empty
          if stored.codeHash != .emptyCode {
            if let cached = codes[stored.codeHash] {
              code = cached
            } else {
              guard let bytes = try txn.get(t.code, key: stored.codeHash.bytes) else {
                throw .corruptValue(table: "code", reason: "no code for hash \(stored.codeHash)")
              }
              code = Code(bytes: bytes, hash: stored.codeHash)
              codes[stored.codeHash] = code
            }
          }
          state.accounts[Keys.address(e.key)] = AccountState(balance: stored.balance, nonce: stored.nonce, code: code)
          entry = try c.next()
        }
      }
      try txn.withCursor(t.storage) { (c) throws(LMDBError) in
        var entry = try c.first()
        while let e = entry {
          guard e.key.count == 52 else { throw .corruptValue(table: "storage", reason: "\(e.key.count)-byte key") }
          let address = Keys.address(e.key)
          let slot = UInt256(bigEndianRaw: e.key.baseAddress! + 20)
          let value = try decodeWord(e.value)
          state.accounts[address, default: AccountState()].storage[slot] = value
          entry = try c.next()
        }
      }
      return state
    }
  }

  // MARK: Journal

  /// Appends accepted transactions in one durable transaction and returns the sequence of
  /// the last one (sequences start at 1 and never repeat). Each call costs an fsync:
  /// callers batch concurrent submissions into one call (group commit).
  @discardableResult
  public func appendJournal(_ entries: [Bytes]) throws(LMDBError) -> UInt64 {
    let t = tables
    return try env.write { (txn) throws(LMDBError) in
      var sequence = try Self.readUInt64(txn, t.meta, MetaKey.journalSequence) ?? 0
      guard !entries.isEmpty else { return sequence }
      for entry in entries {
        sequence += 1
        try txn.put(t.journal, key: Keys.number(sequence), value: entry, append: true)
      }
      try txn.put(t.meta, key: MetaKey.journalSequence, value: Keys.number(sequence))
      return sequence
    }
  }

  /// Every journal entry still present, oldest first: what to replay into the mempool on
  /// start.
  public func journalEntries() throws(LMDBError) -> [(sequence: UInt64, transaction: Bytes)] {
    let t = tables
    return try env.read { (txn) throws(LMDBError) in
      try txn.withCursor(t.journal) { (c) throws(LMDBError) in
        var out: [(sequence: UInt64, transaction: Bytes)] = []
        var entry = try c.first()
        while let e = entry {
          out.append((try Keys.decodeNumber(e.key, table: "journal"), Bytes(e.value)))
          entry = try c.next()
        }
        return out
      }
    }
  }

  /// Removes journal entries up to and including `sequence` on their own (a block commit
  /// does it as part of the block).
  public func truncateJournal(through sequence: UInt64) throws(LMDBError) {
    let t = tables
    try env.write { (txn) throws(LMDBError) in try Self.truncateJournal(through: sequence, txn: txn, t.journal) }
  }

  /// Removes these journal entries on their own (ones refused on replay, or dropped from
  /// the pool when no block was made); absent ones are skipped.
  public func deleteJournalEntries(_ sequences: [UInt64]) throws(LMDBError) {
    guard !sequences.isEmpty else { return }
    let t = tables
    try env.write { (txn) throws(LMDBError) in
      for sequence in sequences.sorted() { try txn.delete(t.journal, key: Keys.number(sequence)) }
    }
  }

  private static func truncateJournal(through sequence: UInt64, txn: LMDBTransaction, _ journal: LMDBDatabase)
    throws(LMDBError)
  {
    try txn.withCursor(journal) { (c) throws(LMDBError) in
      var entry = try c.first()
      while let e = entry, try Keys.decodeNumber(e.key, table: "journal") <= sequence {
        try c.deleteCurrent()
        entry = try c.next()
      }
    }
  }
}
