/// The named databases of a Braid store and how their keys and values are spelled.
///
/// Integer keys are fixed-width big-endian so that LMDB's byte order is numeric order:
/// cursors walk blocks and journal entries oldest first, and a storage key (address ‖
/// slot) keeps an account's slots together, so wiping an account's storage is one range.
import BraidPrimitives

struct Tables {
  /// address (20) → rlp([nonce, balance, codeHash]).
  let accounts: LMDBDatabase
  /// address (20) ‖ slot (32) → the value's big-endian bytes without leading zeros; a zero
  /// value is not stored.
  let storage: LMDBDatabase
  /// codeHash (32) → code. Content-addressed and never deleted: accounts share code.
  let code: LMDBDatabase
  /// number (8) → the header's RLP (its keccak is the block hash).
  let headers: LMDBDatabase
  /// hash (32) → number (8).
  let blockHashes: LMDBDatabase
  /// number (8) → rlp([raw tx, ...]), each transaction as a byte string.
  let blockTxs: LMDBDatabase
  /// number (8) → rlp([StoredReceipt, ...]).
  let receipts: LMDBDatabase
  /// txHash (32) → number (8) ‖ index (4).
  let txIndex: LMDBDatabase
  /// A few named values: `MetaKey`.
  let meta: LMDBDatabase
  /// sequence (8) → a raw transaction accepted but not yet in a committed block.
  let journal: LMDBDatabase

  static let count: UInt32 = 10

  init(_ env: LMDBEnvironment) throws(LMDBError) {
    accounts = try env.openDatabase(named: "accounts")
    storage = try env.openDatabase(named: "storage")
    code = try env.openDatabase(named: "code")
    headers = try env.openDatabase(named: "headers")
    blockHashes = try env.openDatabase(named: "blockHashes")
    blockTxs = try env.openDatabase(named: "blockTxs")
    receipts = try env.openDatabase(named: "receipts")
    txIndex = try env.openDatabase(named: "txIndex")
    meta = try env.openDatabase(named: "meta")
    journal = try env.openDatabase(named: "journal")
  }
}

enum MetaKey {
  static let head: Bytes = Array("head".utf8)
  static let chainId: Bytes = Array("chainId".utf8)
  static let genesisHash: Bytes = Array("genesisHash".utf8)
  /// The last journal sequence handed out. Kept apart from the journal itself so that
  /// sequences keep increasing after the journal has been truncated to nothing.
  static let journalSequence: Bytes = Array("journalSequence".utf8)
}

enum Keys {
  static func number(_ n: UInt64) -> Bytes {
    withUnsafeBytes(of: n.bigEndian) { Bytes($0) }
  }

  static func storage(_ address: Address, _ slot: UInt256) -> Bytes {
    var key = Bytes(repeating: 0, count: 52)
    writeAddress(address, into: &key)
    key.withUnsafeMutableBytes { slot.storeBigEndian(to: $0.baseAddress! + 20) }
    return key
  }

  static func writeAddress(_ a: Address, into key: inout Bytes) {
    key.withUnsafeMutableBytes { p in
      p.storeBytes(of: a.hi.bigEndian, toByteOffset: 0, as: UInt64.self)
      p.storeBytes(of: a.mid.bigEndian, toByteOffset: 8, as: UInt64.self)
      p.storeBytes(of: a.lo.bigEndian, toByteOffset: 16, as: UInt32.self)
    }
  }

  static func address(_ raw: UnsafeRawBufferPointer) -> Address {
    Address(
      hi: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
      mid: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
      lo: UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self)))
  }

  static func decodeNumber(_ raw: UnsafeRawBufferPointer, table: String) throws(LMDBError) -> UInt64 {
    guard raw.count >= 8 else { throw .corruptValue(table: table, reason: "\(raw.count)-byte number") }
    return UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
  }

  static func location(block: UInt64, index: UInt32) -> Bytes {
    var out = number(block)
    withUnsafeBytes(of: index.bigEndian) { out.append(contentsOf: $0) }
    return out
  }
}

/// An account's fields apart from its storage, as the `accounts` table holds them. The
/// storage root is not kept: the node computes roots from its in-memory state.
struct StoredAccount: Equatable {
  var nonce: UInt64
  var balance: UInt256
  var codeHash: Hash32

  var encoded: Bytes {
    var w = RLPWriter(capacity: 80)
    w.appendList { (w: inout RLPWriter) in
      w.append(uint: nonce)
      w.append(uint256: balance)
      w.append(hash: codeHash)
    }
    return w.bytes
  }

  init(nonce: UInt64, balance: UInt256, codeHash: Hash32) {
    self.nonce = nonce
    self.balance = balance
    self.codeHash = codeHash
  }

  init(decoding raw: UnsafeRawBufferPointer) throws(LMDBError) {
    do throws(RLPError) {
      var outer = RLPReader(Bytes(raw))
      var list = try outer.readList()
      nonce = try list.readUInt64()
      balance = try list.readUInt256()
      codeHash = try list.readHash32()
      try list.finish()
    } catch {
      throw .corruptValue(table: "accounts", reason: error.description)
    }
  }
}

/// A storage value without leading zero bytes (never empty: zero values are deleted).
func decodeWord(_ raw: UnsafeRawBufferPointer) throws(LMDBError) -> UInt256 {
  guard raw.count <= 32 else { throw .corruptValue(table: "storage", reason: "\(raw.count)-byte value") }
  return UInt256(bigEndian: raw)
}

/// A list of byte strings (block transactions, receipts) as one RLP value.
func encodeByteStrings(_ items: [Bytes]) -> Bytes {
  var w = RLPWriter(capacity: items.reduce(16) { $0 + $1.count + 4 })
  w.appendList { (w: inout RLPWriter) in
    for item in items { w.append(bytes: item) }
  }
  return w.bytes
}

func decodeByteStrings(_ raw: UnsafeRawBufferPointer, table: String) throws(LMDBError) -> [Bytes] {
  do throws(RLPError) {
    var outer = RLPReader(Bytes(raw))
    var list = try outer.readList()
    var out: [Bytes] = []
    while !list.isAtEnd { out.append(try list.readBytes()) }
    return out
  } catch {
    throw .corruptValue(table: table, reason: error.description)
  }
}
