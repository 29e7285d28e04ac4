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
    guard let header = try header(number: p.position.blockNumber),
      let included = try includedTransaction(at: p.position)
    else { return nil }
    return TransactionRecord(
      signed: try StoredChain.decode(included.raw, sender: included.receipt.sender),
      location: TransactionLocation(
        blockNumber: p.position.blockNumber, blockHash: header.hash, index: p.position.index),
      effectiveGasPrice: included.receipt.effectiveGasPrice)
  }

  func receiptRecord(at p: StoredChain.Position) throws(LMDBError) -> ReceiptRecord? {
    // Log indexes count across the block, so the earlier receipts' logs are counted.
    guard let header = try header(number: p.position.blockNumber),
      let included = try includedTransaction(at: p.position, countLogsBefore: true)
    else { return nil }
    let location = TransactionLocation(
      blockNumber: p.position.blockNumber, blockHash: header.hash, index: p.position.index)
    let stored = included.receipt
    let fields = try Self.fields(stored)
    let tx = try StoredChain.decode(included.raw, sender: stored.sender).transaction
    return ReceiptRecord(
      transactionHash: p.hash, location: location, from: stored.sender, to: tx.to, type: fields.type,
      success: fields.success, cumulativeGasUsed: fields.cumulativeGasUsed, gasUsed: stored.gasUsed,
      effectiveGasPrice: stored.effectiveGasPrice, contractAddress: stored.contractAddress,
      logs: fields.logs.enumerated().map {
        LogRecord(log: $1, location: location, transactionHash: p.hash, logIndex: included.logsBefore + $0)
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
