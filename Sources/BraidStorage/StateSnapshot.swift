/// The EVM's `StateReader` over one committed block of the store.
import BraidEVM
import BraidPrimitives
import CLMDB
import Synchronization

/// A read transaction pinned at the block that was the head when it began. Commits made
/// after it began are invisible to it, and it never blocks them.
///
/// `StateReader` cannot throw, so a failed read (a damaged file, an I/O error on a mapped
/// page) stops the process: answering with zeros would serve a state that never existed.
///
/// `@unchecked Sendable`: LMDB allows one thread at a time in a transaction, and with
/// `MDB_NOTLS` any thread; every use of `txn` happens inside `lock`, and `txn` is aborted
/// only in `deinit`, when no other reference exists.
public final class StateSnapshot: StateReader, @unchecked Sendable {
  private let env: LMDBEnvironment
  private let tables: Tables
  private let txn: OpaquePointer
  /// Guards `txn` and caches analysed code: the interpreter asks for the same contract's
  /// code on every call into it.
  private let lock = Mutex<[Hash32: Code]>([:])
  /// The block this snapshot shows; nil for an empty store.
  public let headNumber: UInt64?

  init(env: LMDBEnvironment, tables: Tables) throws(LMDBError) {
    self.env = env
    self.tables = tables
    txn = try env.beginRead()
    do throws(LMDBError) {
      headNumber = try Store.readUInt64(LMDBTransaction(txn: txn), tables.meta, MetaKey.head)
    } catch {
      mdb_txn_abort(txn)
      throw error
    }
  }

  deinit { mdb_txn_abort(txn) }

  private func reading<R>(_ body: (LMDBTransaction, inout [Hash32: Code]) throws(LMDBError) -> R) -> R {
    lock.withLock { codes in
      do {
        return try body(LMDBTransaction(txn: txn), &codes)
      } catch {
        fatalError("BraidStorage: reading a snapshot failed: \(error)")
      }
    }
  }

  private func account(_ address: Address, _ txn: LMDBTransaction) throws(LMDBError) -> StoredAccount? {
    var key = Bytes(repeating: 0, count: 20)
    Keys.writeAddress(address, into: &key)
    return try withBytes(key) { (k) throws(LMDBError) in
      try txn.withValue(tables.accounts, key: k) { (v) throws(LMDBError) in
        try v.map { (raw) throws(LMDBError) in try StoredAccount(decoding: raw) }
      }
    }
  }

  public func balance(of address: Address) -> UInt256 {
    reading { (txn, _) throws(LMDBError) in try account(address, txn)?.balance ?? .zero }
  }

  public func nonce(of address: Address) -> UInt64 {
    reading { (txn, _) throws(LMDBError) in try account(address, txn)?.nonce ?? 0 }
  }

  public func code(of address: Address) -> Code {
    reading { (txn, codes) throws(LMDBError) in
      guard let hash = try account(address, txn)?.codeHash, hash != .emptyCode else { return .empty }
      if let code = codes[hash] { return code }
      guard let bytes = try txn.get(tables.code, key: hash.bytes) else {
        throw .corruptValue(table: "code", reason: "no code for hash \(hash)")
      }
      let code = Code(bytes: bytes, hash: hash)
      codes[hash] = code
      return code
    }
  }

  public func storage(of address: Address, slot: UInt256) -> UInt256 {
    reading { (txn, _) throws(LMDBError) in
      try withBytes(Keys.storage(address, slot)) { (k) throws(LMDBError) in
        try txn.withValue(tables.storage, key: k) { (v) throws(LMDBError) in try v.map(decodeWord) ?? .zero }
      }
    }
  }

  public func hasStorage(_ address: Address) -> Bool {
    reading { (txn, _) throws(LMDBError) in
      var prefix = Bytes(repeating: 0, count: 20)
      Keys.writeAddress(address, into: &prefix)
      return try txn.withCursor(tables.storage) { (c) throws(LMDBError) in
        guard let e = try c.seek(atLeast: prefix) else { return false }
        return e.key.count >= 20 && e.key.prefix(20).elementsEqual(prefix)
      }
    }
  }

  /// The hash of a stored block: keccak256 of its header as stored. Zero for a block the
  /// store does not have.
  public func blockHash(number: UInt64) -> Hash32 {
    reading { (txn, _) throws(LMDBError) in
      try withBytes(Keys.number(number)) { (k) throws(LMDBError) in
        try txn.withValue(tables.headers, key: k) { v in v.map { Keccak256.hash($0) } ?? .zero }
      }
    }
  }
}
