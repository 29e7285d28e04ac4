/// Receipts written straight into the response bytes, with the same members in the same
/// order as `RPCObjects.receipt`. Receipts are the bulk of what a busy client reads back (a
/// benchmark fetches one per transaction, about 1.6 KB of JSON each), and building them as
/// a `JSONValue` tree first costs a `String` per field and an array per log; here each
/// field is hex-encoded into the output buffer directly.
import BraidPrimitives

private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

extension JSONWriter {
  /// QUANTITY: `"0x"` and hex digits without leading zeros, `"0x0"` for zero.
  mutating func writeQuantity(_ v: UInt64) {
    bytes.append(UInt8(ascii: "\""))
    bytes.append(UInt8(ascii: "0"))
    bytes.append(UInt8(ascii: "x"))
    appendHexDigits(v, minimumDigits: 1)
    bytes.append(UInt8(ascii: "\""))
  }

  mutating func writeQuantity(_ v: UInt256) {
    let limbs = [v.w3, v.w2, v.w1, v.w0]
    guard let top = limbs.firstIndex(where: { $0 != 0 }) else {
      write(rawASCII: "\"0x0\"")
      return
    }
    bytes.append(UInt8(ascii: "\""))
    bytes.append(UInt8(ascii: "0"))
    bytes.append(UInt8(ascii: "x"))
    appendHexDigits(limbs[top], minimumDigits: 1)
    for limb in limbs[(top + 1)...] { appendHexDigits(limb, minimumDigits: 16) }
    bytes.append(UInt8(ascii: "\""))
  }

  /// DATA: `"0x"` and two digits per byte.
  mutating func writeData<C: Collection>(_ data: C) where C.Element == UInt8 {
    bytes.append(UInt8(ascii: "\""))
    bytes.append(UInt8(ascii: "0"))
    bytes.append(UInt8(ascii: "x"))
    // The digits go into space grown once, not appended one by one (a receipt's bloom
    // alone is 512 of them).
    let start = bytes.count
    bytes.append(contentsOf: repeatElement(0, count: 2 * data.count))
    hexDigits.withUnsafeBufferPointer { digits in
      bytes.withUnsafeMutableBufferPointer { out in
        var i = start
        for b in data {
          out[i] = digits[Int(b >> 4)]
          out[i &+ 1] = digits[Int(b & 0xF)]
          i &+= 2
        }
      }
    }
    bytes.append(UInt8(ascii: "\""))
  }

  mutating func writeHash(_ h: Hash32) {
    bytes.append(UInt8(ascii: "\""))
    bytes.append(UInt8(ascii: "0"))
    bytes.append(UInt8(ascii: "x"))
    for limb in [h.word.w3, h.word.w2, h.word.w1, h.word.w0] { appendHexDigits(limb, minimumDigits: 16) }
    bytes.append(UInt8(ascii: "\""))
  }

  mutating func writeAddress(_ a: Address?) {
    guard let a else {
      write(rawASCII: "null")
      return
    }
    bytes.append(UInt8(ascii: "\""))
    bytes.append(UInt8(ascii: "0"))
    bytes.append(UInt8(ascii: "x"))
    appendHexDigits(a.hi, minimumDigits: 16)
    appendHexDigits(a.mid, minimumDigits: 16)
    appendHexDigits(UInt64(a.lo), minimumDigits: 8)
    bytes.append(UInt8(ascii: "\""))
  }

  /// `v` in lower-case hex, left-padded with zeros to `minimumDigits`.
  private mutating func appendHexDigits(_ v: UInt64, minimumDigits: Int) {
    let significant = v == 0 ? 1 : (67 - v.leadingZeroBitCount) / 4
    let count = max(significant, minimumDigits)
    hexDigits.withUnsafeBufferPointer { digits in
      var shift = 4 * (count - 1)
      while shift >= 0 {
        bytes.append(digits[Int(truncatingIfNeeded: (v >> UInt64(shift)) & 0xF)])
        shift -= 4
      }
    }
  }

  /// `RPCObjects.receipt(r)`, written directly.
  mutating func write(receipt r: ReceiptRecord) {
    write(rawASCII: #"{"blockHash":"#)
    writeHash(r.location.blockHash)
    write(rawASCII: #","blockNumber":"#)
    writeQuantity(r.location.blockNumber)
    write(rawASCII: #","contractAddress":"#)
    writeAddress(r.contractAddress)
    write(rawASCII: #","cumulativeGasUsed":"#)
    writeQuantity(r.cumulativeGasUsed)
    write(rawASCII: #","effectiveGasPrice":"#)
    writeQuantity(r.effectiveGasPrice)
    write(rawASCII: #","from":"#)
    writeAddress(r.from)
    write(rawASCII: #","gasUsed":"#)
    writeQuantity(r.gasUsed)
    write(rawASCII: #","logs":["#)
    for (i, l) in r.logs.enumerated() {
      if i > 0 { bytes.append(UInt8(ascii: ",")) }
      write(log: l)
    }
    write(rawASCII: #"],"logsBloom":"#)
    writeData(r.logsBloom.bytes)
    write(rawASCII: #","status":"#)
    write(rawASCII: r.success ? "\"0x1\"" : "\"0x0\"")
    write(rawASCII: #","to":"#)
    writeAddress(r.to)
    write(rawASCII: #","transactionHash":"#)
    writeHash(r.transactionHash)
    write(rawASCII: #","transactionIndex":"#)
    writeQuantity(UInt64(r.location.index))
    write(rawASCII: #","type":"#)
    writeQuantity(UInt64(r.type))
    bytes.append(UInt8(ascii: "}"))
  }

  /// `RPCObjects.log(l)`, written directly.
  mutating func write(log l: LogRecord) {
    write(rawASCII: #"{"address":"#)
    writeAddress(l.log.address)
    write(rawASCII: #","blockHash":"#)
    writeHash(l.location.blockHash)
    write(rawASCII: #","blockNumber":"#)
    writeQuantity(l.location.blockNumber)
    write(rawASCII: #","data":"#)
    writeData(l.log.data)
    write(rawASCII: #","logIndex":"#)
    writeQuantity(UInt64(l.logIndex))
    write(rawASCII: #","removed":false,"topics":["#)
    for (i, t) in l.log.topics.enumerated() {
      if i > 0 { bytes.append(UInt8(ascii: ",")) }
      writeHash(t)
    }
    write(rawASCII: #"],"transactionHash":"#)
    writeHash(l.transactionHash)
    write(rawASCII: #","transactionIndex":"#)
    writeQuantity(UInt64(l.location.index))
    bytes.append(UInt8(ascii: "}"))
  }
}
