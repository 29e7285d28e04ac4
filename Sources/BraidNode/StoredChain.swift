/// Between the node's records and the store's: a sealed block becomes the
/// `CommittedBlock` one LMDB transaction writes, and blocks committed before a restart are
/// read back as the records the JSON-RPC layer renders.
import BraidEVM
import BraidExecution
import BraidPrimitives
import BraidRPC
import BraidStorage

enum StoredChain {
  /// A transaction's hash and where the store says it is.
  struct Position {
    var hash: Hash32
    var position: TransactionPosition
  }

  /// Runs a store read. A failed read (a damaged file, an I/O error on a mapped page)
  /// stops the process, as `StateSnapshot` does: answering "not found" would deny data
  /// the chain has.
  static func read<R>(_ body: () throws(LMDBError) -> R?) -> R? {
    do {
      return try body()
    } catch {
      fatalError("braid: reading the store failed: \(error)")
    }
  }

  /// What one write transaction stores for `block`: its header, transactions, receipts and
  /// index entries, the state it wrote (`written`, read from `post`), and the removal of
  /// the journal entries `journal` names.
  static func committed(
    _ block: SealedBlock, receipts: [Receipt], written: [Address: Set<UInt256>], post: InMemoryState,
    journal: [UInt64]
  ) -> CommittedBlock {
    var stored: [StoredReceipt] = []
    stored.reserveCapacity(receipts.count)
    for (r, record) in zip(receipts, block.receipts) {
      stored.append(
        StoredReceipt(
          encoded: r.encoded, sender: record.from, gasUsed: record.gasUsed,
          effectiveGasPrice: record.effectiveGasPrice, contractAddress: record.contractAddress))
    }
    return CommittedBlock(
      header: block.header, transactions: block.transactions.map(\.signed.raw),
      transactionHashes: block.record.transactionHashes, receipts: stored,
      changes: StateDiff(written: written, post: post), journalSequences: journal)
  }

  /// Block 0: the whole genesis allocation as the state change.
  static func genesis(_ header: BlockHeader, state: InMemoryState) -> CommittedBlock {
    CommittedBlock(
      header: header, transactions: [], receipts: [], changes: StateDiff(from: InMemoryState(), to: state))
  }

  static func transactionBytes(_ raw: [Bytes]) -> Int { raw.reduce(0) { $0 + $1.count + 3 } }

  /// How many logs a stored receipt holds, counted by walking the RLP headers: the
  /// receipt lookup needs the counts of every earlier receipt in the block, and decoding
  /// their logs (addresses, topics, data) was most of its time on a block of a thousand.
  static func logCount(_ r: StoredReceipt) throws(LMDBError) -> Int {
    do throws(RLPError) {
      var outer = RLPReader(r.encoded)
      // A typed receipt's type byte (below 0x80) reads as a one-byte item.
      if let first = r.encoded.first, first < 0x80 { _ = try outer.skipItem() }
      var fields = try outer.readList()
      for _ in 0..<3 { _ = try fields.skipItem() }  // status, cumulative gas, bloom
      var logs = try fields.readList()
      var count = 0
      while !logs.isAtEnd {
        _ = try logs.skipItem()
        count += 1
      }
      return count
    } catch {
      throw .corruptValue(table: "receipts", reason: error.description)
    }
  }

  /// A committed block's transaction, with the sender its stored receipt keeps: it was
  /// recovered once at admission, and recovering it again on every read (about 45 µs a
  /// transaction) is work already done.
  static func decode(_ raw: Bytes, sender: Address) throws(LMDBError) -> SignedTransaction {
    do {
      return try SignedTransaction.decode(raw, sender: sender)
    } catch {
      throw .corruptValue(table: "blockTxs", reason: error.description)
    }
  }

  /// A committed block's transaction with its sender recovered from the signature again:
  /// only where the stored sender itself is being checked (`braid verify-chain
  /// --recover-senders`).
  static func decodeRecovering(_ raw: Bytes) throws(LMDBError) -> SignedTransaction {
    do {
      return try SignedTransaction.decode(raw)
    } catch {
      throw .corruptValue(table: "blockTxs", reason: error.description)
    }
  }
}

extension Store {
  func blockRecord(number: UInt64) throws(LMDBError) -> BlockRecord? {
    guard let header = try header(number: number), let raw = try transactions(inBlock: number) else {
      return nil
    }
    return BlockRecord(
      header: header, transactionHashes: raw.map { Keccak256.hash($0) },
      transactionBytes: StoredChain.transactionBytes(raw))
  }

  /// The block's hash, transactions and receipts, read together.
  private func blockParts(_ number: UInt64) throws(LMDBError) -> (Hash32, [Bytes], [StoredReceipt])? {
    guard let header = try header(number: number), let raw = try transactions(inBlock: number),
      let receipts = try receipts(inBlock: number), receipts.count == raw.count
    else { return nil }
    return (header.hash, raw, receipts)
  }

  func transactionRecord(at p: StoredChain.Position) throws(LMDBError) -> TransactionRecord? {
    guard let (blockHash, raw, receipts) = try blockParts(p.position.blockNumber),
      p.position.index < raw.count
    else { return nil }
    return TransactionRecord(
      signed: try StoredChain.decode(raw[p.position.index], sender: receipts[p.position.index].sender),
      location: TransactionLocation(
        blockNumber: p.position.blockNumber, blockHash: blockHash, index: p.position.index),
      effectiveGasPrice: receipts[p.position.index].effectiveGasPrice)
  }

  func receiptRecord(at p: StoredChain.Position) throws(LMDBError) -> ReceiptRecord? {
    guard let (blockHash, raw, receipts) = try blockParts(p.position.blockNumber),
      p.position.index < raw.count
    else { return nil }
    let location = TransactionLocation(
      blockNumber: p.position.blockNumber, blockHash: blockHash, index: p.position.index)
    // Log indexes count across the block, so the earlier receipts' logs are counted.
    var logIndex = 0
    for r in receipts[..<p.position.index] { logIndex += try StoredChain.logCount(r) }
    let stored = receipts[p.position.index]
    let fields = try Self.fields(stored)
    let tx = try StoredChain.decode(raw[p.position.index], sender: stored.sender).transaction
    return ReceiptRecord(
      transactionHash: p.hash, location: location, from: stored.sender, to: tx.to, type: fields.type,
      success: fields.success, cumulativeGasUsed: fields.cumulativeGasUsed, gasUsed: stored.gasUsed,
      effectiveGasPrice: stored.effectiveGasPrice, contractAddress: stored.contractAddress,
      logs: fields.logs.enumerated().map {
        LogRecord(log: $1, location: location, transactionHash: p.hash, logIndex: logIndex + $0)
      },
      logsBloom: fields.logsBloom)
  }

  func logRecords(inBlock number: UInt64) throws(LMDBError) -> [LogRecord]? {
    guard let (blockHash, raw, receipts) = try blockParts(number) else { return nil }
    var out: [LogRecord] = []
    for (index, (tx, r)) in zip(raw, receipts).enumerated() {
      let location = TransactionLocation(blockNumber: number, blockHash: blockHash, index: index)
      let hash = Keccak256.hash(tx)
      for log in try Self.fields(r).logs {
        out.append(LogRecord(log: log, location: location, transactionHash: hash, logIndex: out.count))
      }
    }
    return out
  }

  private static func fields(_ r: StoredReceipt) throws(LMDBError) -> ReceiptFields {
    do {
      return try r.fields()
    } catch {
      throw .corruptValue(table: "receipts", reason: error.description)
    }
  }
}
