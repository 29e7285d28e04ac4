/// Reading one included transaction out of its block's stored lists, for
/// `eth_getTransactionByHash` and `eth_getTransactionReceipt` on blocks read from the store:
/// the block's transactions and receipts are each one RLP list under the block number, and
/// materialising all of them (a thousand byte arrays and receipts for a full block) to
/// answer for one was most of a lookup's time. Here the lists are walked by their RLP
/// headers and only the wanted item is decoded.
import BraidPrimitives

/// One included transaction as the store keeps it.
public struct IncludedTransaction: Sendable, Equatable {
  /// The EIP-2718 bytes.
  public var raw: Bytes
  public var receipt: StoredReceipt
  /// How many logs the block's earlier receipts hold: where this receipt's log indexes
  /// start. Zero unless asked for.
  public var logsBefore: Int
}

extension Store {
  /// The transaction at `position` with its stored receipt; nil when the block is not
  /// stored or has no such index. `countLogsBefore`: also count the logs of the receipts
  /// before it, by walking their encodings, without decoding any log.
  public func includedTransaction(at position: TransactionPosition, countLogsBefore: Bool = false)
    throws(LMDBError)
    -> IncludedTransaction?
  {
    let t = tables
    let key = Keys.number(position.blockNumber)
    let (txs, receipts) = try env.read { (txn) throws(LMDBError) in
      (try txn.get(t.blockTxs, key: key), try txn.get(t.receipts, key: key))
    }
    guard let txs, let receipts, position.index >= 0 else { return nil }
    let raw: Bytes
    do throws(RLPError) {
      var outer = RLPReader(txs)
      var list = try outer.readList()
      for _ in 0..<position.index {
        if list.isAtEnd { return nil }
        _ = try list.skipItem()
      }
      if list.isAtEnd { return nil }
      raw = try list.readBytes()
    } catch {
      throw .corruptValue(table: "blockTxs", reason: error.description)
    }
    do throws(RLPError) {
      var outer = RLPReader(receipts)
      var list = try outer.readList()
      var logsBefore = 0
      for _ in 0..<position.index {
        if list.isAtEnd { return nil }
        if countLogsBefore {
          // Each entry is rlp([encoded, sender, ...]): its first field is the receipt.
          var entry = try list.readList()
          logsBefore += try ReceiptFields.logCount(receipts, entry.readBytesRange())
        } else {
          _ = try list.skipItem()
        }
      }
      if list.isAtEnd { return nil }
      return IncludedTransaction(raw: raw, receipt: try StoredReceipt(reading: &list), logsBefore: logsBefore)
    } catch {
      throw .corruptValue(table: "receipts", reason: error.description)
    }
  }
}

extension ReceiptFields {
  /// How many logs the receipt encoded at `range` of `bytes` holds, read from the RLP
  /// headers alone: a typed receipt's type byte, then rlp([status, cumulativeGas, bloom,
  /// logs]).
  public static func logCount(_ bytes: Bytes, _ range: Range<Int>) throws(RLPError) -> Int {
    var at = range.lowerBound
    if at < range.upperBound, bytes[at] < 0x80 { at += 1 }
    let receipt = try RLP.header(in: bytes, at: at, limit: range.upperBound)
    guard receipt.isList, receipt.item.upperBound == range.upperBound else {
      throw receipt.isList ? .trailingBytes(offset: receipt.item.upperBound) : .expectedList
    }
    var field = receipt.payload.lowerBound
    for _ in 0..<3 {  // status, cumulative gas, bloom
      field = try RLP.header(in: bytes, at: field, limit: receipt.payload.upperBound).item.upperBound
    }
    let logs = try RLP.header(in: bytes, at: field, limit: receipt.payload.upperBound)
    guard logs.isList else { throw .expectedList }
    var count = 0
    var log = logs.payload.lowerBound
    while log < logs.payload.upperBound {
      log = try RLP.header(in: bytes, at: log, limit: logs.payload.upperBound).item.upperBound
      count += 1
    }
    return count
  }
}
