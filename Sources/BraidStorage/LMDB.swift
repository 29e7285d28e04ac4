/// A small typed layer over LMDB: an environment, read and write transactions handed to
/// closures, named databases and cursors. Every `mdb_*` return code goes through `check`,
/// so a failure is an `LMDBError` naming the call, never an ignored integer.
///
/// Threading follows LMDB's rules, which this layer does not hide:
/// - the environment is opened with `MDB_NOTLS`, so a read transaction is not bound to the
///   thread that began it (a snapshot can be created on the sequencer and read on an HTTP
///   thread), but one transaction is still used by one thread at a time;
/// - a write transaction runs entirely inside `write { }` on the calling thread; LMDB's own
///   writer lock makes a second writer wait, so there is exactly one writer at a time.
import BraidPrimitives
import CLMDB

/// Why an LMDB call, or the decoding of what it returned, failed.
public enum LMDBError: Error, Equatable, Sendable, CustomStringConvertible {
  /// `operation` returned `code`; the description carries `mdb_strerror`'s text.
  case call(operation: String, code: Int32)
  /// A stored value did not decode: the file was written by something else or damaged.
  case corruptValue(table: String, reason: String)
  /// `commitBlock` was given a block that does not follow the head (nil: empty store).
  case blockOutOfOrder(head: UInt64?, got: UInt64)
  /// The store's directory could not be created.
  case cannotCreateDirectory(path: String, reason: String)
  /// Another open store, in this process or another, holds the directory's lock.
  case directoryInUse(path: String)

  public static let notFound = MDB_NOTFOUND
  public static let mapFull = MDB_MAP_FULL

  public var code: Int32? {
    if case .call(_, let code) = self { return code }
    return nil
  }

  public var description: String {
    switch self {
    case .call(let op, let code): return "\(op): \(String(cString: mdb_strerror(code))) (\(code))"
    case .corruptValue(let table, let reason): return "corrupt value in table \(table): \(reason)"
    case .blockOutOfOrder(let head, let got):
      return "block \(got) does not follow the head (\(head.map { "block \($0)" } ?? "empty store"))"
    case .cannotCreateDirectory(let path, let reason): return "cannot create \(path): \(reason)"
    case .directoryInUse(let path): return "data directory \(path) is in use by another braid process"
    }
  }
}

@inline(__always) func check(_ rc: Int32, _ operation: @autoclosure () -> String) throws(LMDBError) {
  if rc != MDB_SUCCESS { throw .call(operation: operation(), code: rc) }
}

/// A named database's handle. Handles opened once at start stay valid for every later
/// transaction of the environment.
public struct LMDBDatabase: Sendable, Hashable {
  public let name: String
  let dbi: MDB_dbi
}

/// An open LMDB environment (one data file and its lock file in a directory). Closed when
/// the last reference goes: transactions and snapshots keep it alive while they run.
///
/// `@unchecked Sendable`: the `MDB_env` pointer is set in `init` and closed in `deinit`
/// only; LMDB documents the environment handle itself as safe to share between threads.
public final class LMDBEnvironment: @unchecked Sendable {
  let env: OpaquePointer

  /// - Parameters:
  ///   - mapSize: the largest the data file may grow to; reserved address space, not disk.
  ///   - maxDatabases: how many named databases may be opened.
  ///   - maxReaders: concurrent read transactions (snapshots held by requests).
  public init(path: String, mapSize: Int, maxDatabases: UInt32, maxReaders: UInt32 = 1024) throws(LMDBError) {
    var env: OpaquePointer?
    try check(mdb_env_create(&env), "mdb_env_create")
    guard let env else { throw .call(operation: "mdb_env_create", code: MDB_PANIC) }
    do throws(LMDBError) {
      try check(mdb_env_set_mapsize(env, mapSize), "mdb_env_set_mapsize(\(mapSize))")
      try check(mdb_env_set_maxdbs(env, maxDatabases), "mdb_env_set_maxdbs")
      try check(mdb_env_set_maxreaders(env, maxReaders), "mdb_env_set_maxreaders")
      try check(mdb_env_open(env, path, UInt32(MDB_NOTLS), 0o644), "mdb_env_open(\(path))")
      // A process killed while reading leaves its reader slot behind, and a stale reader
      // stops LMDB from reusing the pages it pinned: clear them on every open.
      var stale: Int32 = 0
      try check(mdb_reader_check(env, &stale), "mdb_reader_check")
    } catch {
      mdb_env_close(env)
      throw error
    }
    self.env = env
  }

  deinit { mdb_env_close(env) }

  /// Opens (creating when absent) a named database. Call once per table at start.
  public func openDatabase(named name: String) throws(LMDBError) -> LMDBDatabase {
    try write { (txn) throws(LMDBError) in
      var dbi: MDB_dbi = 0
      try check(mdb_dbi_open(txn.txn, name, UInt32(MDB_CREATE), &dbi), "mdb_dbi_open(\(name))")
      return LMDBDatabase(name: name, dbi: dbi)
    }
  }

  /// Runs `body` in a write transaction and commits it when `body` returns; a throw aborts
  /// it, and then nothing `body` wrote is visible, in this process or after a crash. The
  /// commit flushes to disk before returning (the environment keeps LMDB's default sync).
  public func write<R>(_ body: (LMDBTransaction) throws(LMDBError) -> R) throws(LMDBError) -> R {
    var ptr: OpaquePointer?
    try check(mdb_txn_begin(env, nil, 0, &ptr), "mdb_txn_begin(write)")
    guard let ptr else { throw .call(operation: "mdb_txn_begin(write)", code: MDB_PANIC) }
    let txn = LMDBTransaction(txn: ptr)
    let result: R
    do throws(LMDBError) {
      result = try body(txn)
    } catch {
      mdb_txn_abort(ptr)
      throw error
    }
    // mdb_txn_commit frees the transaction even when it fails.
    try check(mdb_txn_commit(ptr), "mdb_txn_commit")
    return result
  }

  /// Runs `body` in a short read transaction over the latest committed data.
  public func read<R>(_ body: (LMDBTransaction) throws(LMDBError) -> R) throws(LMDBError) -> R {
    let ptr = try beginRead()
    defer { mdb_txn_abort(ptr) }
    return try body(LMDBTransaction(txn: ptr))
  }

  /// A read transaction that outlives a closure (a snapshot); the caller aborts it. A
  /// reader pins the pages of its snapshot, so it should not be held for long.
  func beginRead() throws(LMDBError) -> OpaquePointer {
    var ptr: OpaquePointer?
    try check(mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &ptr), "mdb_txn_begin(read)")
    guard let ptr else { throw .call(operation: "mdb_txn_begin(read)", code: MDB_PANIC) }
    return ptr
  }
}

/// A transaction, valid only inside the closure it was handed to (or, for a snapshot,
/// until its owner ends it). Values returned as raw buffers point into the memory map and
/// are valid only while the transaction is.
public struct LMDBTransaction {
  let txn: OpaquePointer

  /// Calls `body` with the value stored under `key`, or nil when there is none.
  public func withValue<R>(
    _ db: LMDBDatabase, key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer?) throws(LMDBError) -> R
  ) throws(LMDBError) -> R {
    var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
    var v = MDB_val()
    let rc = mdb_get(txn, db.dbi, &k, &v)
    if rc == MDB_NOTFOUND { return try body(nil) }
    try check(rc, "mdb_get(\(db.name))")
    return try body(UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
  }

  /// A copy of the value under `key`.
  public func get(_ db: LMDBDatabase, key: Bytes) throws(LMDBError) -> Bytes? {
    try withBytes(key) { (k) throws(LMDBError) in
      try withValue(db, key: k) { v in v.map { Bytes($0) } }
    }
  }

  public func put(_ db: LMDBDatabase, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, append: Bool = false)
    throws(LMDBError)
  {
    var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
    var v = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
    try check(mdb_put(txn, db.dbi, &k, &v, append ? UInt32(MDB_APPEND) : 0), "mdb_put(\(db.name))")
  }

  /// Stores `value` under `key`. `append` asserts that `key` sorts after every key already
  /// there (sequence numbers), which lets LMDB skip the search and fill pages completely.
  public func put(_ db: LMDBDatabase, key: Bytes, value: Bytes, append: Bool = false) throws(LMDBError) {
    try withBytes(key) { (k) throws(LMDBError) in
      try withBytes(value) { (v) throws(LMDBError) in try put(db, key: k, value: v, append: append) }
    }
  }

  /// Removes `key`; false when it was not there.
  @discardableResult
  public func delete(_ db: LMDBDatabase, key: Bytes) throws(LMDBError) -> Bool {
    try withBytes(key) { (key) throws(LMDBError) in
      var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
      let rc = mdb_del(txn, db.dbi, &k, nil)
      if rc == MDB_NOTFOUND { return false }
      try check(rc, "mdb_del(\(db.name))")
      return true
    }
  }

  /// Runs `body` with a cursor over `db`, closed when `body` returns.
  public func withCursor<R>(_ db: LMDBDatabase, _ body: (inout LMDBCursor) throws(LMDBError) -> R) throws(LMDBError) -> R {
    var ptr: OpaquePointer?
    try check(mdb_cursor_open(txn, db.dbi, &ptr), "mdb_cursor_open(\(db.name))")
    guard let ptr else { throw .call(operation: "mdb_cursor_open(\(db.name))", code: MDB_PANIC) }
    defer { mdb_cursor_close(ptr) }
    var cursor = LMDBCursor(cursor: ptr, db: db)
    return try body(&cursor)
  }
}

/// A position in a database's key order. Entries point into the memory map and are valid
/// until the cursor moves or its transaction ends.
public struct LMDBCursor {
  let cursor: OpaquePointer
  let db: LMDBDatabase

  public typealias Entry = (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)

  private func move(_ op: MDB_cursor_op, key: UnsafeRawBufferPointer? = nil) throws(LMDBError) -> Entry? {
    var k = MDB_val(mv_size: key?.count ?? 0, mv_data: UnsafeMutableRawPointer(mutating: key?.baseAddress))
    var v = MDB_val()
    let rc = mdb_cursor_get(cursor, &k, &v, op)
    if rc == MDB_NOTFOUND { return nil }
    try check(rc, "mdb_cursor_get(\(db.name), \(op.rawValue))")
    return (UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size), UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
  }

  public func first() throws(LMDBError) -> Entry? { try move(MDB_FIRST) }
  public func last() throws(LMDBError) -> Entry? { try move(MDB_LAST) }
  public func next() throws(LMDBError) -> Entry? { try move(MDB_NEXT) }

  /// The first entry whose key is greater than or equal to `key`.
  public func seek(atLeast key: UnsafeRawBufferPointer) throws(LMDBError) -> Entry? { try move(MDB_SET_RANGE, key: key) }

  public func seek(atLeast key: Bytes) throws(LMDBError) -> Entry? {
    try withBytes(key) { (k) throws(LMDBError) in try seek(atLeast: k) }
  }

  /// Deletes the entry under the cursor; a following `next()` returns the entry after it.
  public func deleteCurrent() throws(LMDBError) {
    try check(mdb_cursor_del(cursor, 0), "mdb_cursor_del(\(db.name))")
  }
}

/// `Array.withUnsafeBytes` only rethrows untyped errors; this keeps `LMDBError` typed.
@inline(__always)
func withBytes<R>(_ bytes: Bytes, _ body: (UnsafeRawBufferPointer) throws(LMDBError) -> R) throws(LMDBError) -> R {
  try bytes.withUnsafeBytes { p in Result { () throws(LMDBError) in try body(p) } }.get()
}
