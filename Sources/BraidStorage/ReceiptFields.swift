/// Reading a stored receipt's consensus encoding back into fields, so that a backend can
/// answer `eth_getTransactionReceipt` and `eth_getLogs` from the store alone.
import BraidEVM
import BraidPrimitives

/// The fields of an EIP-2718 receipt: rlp([status, cumulativeGasUsed, logsBloom, logs]),
/// prefixed with the transaction type unless legacy.
public struct ReceiptFields: Sendable, Equatable {
  public var type: UInt8
  public var success: Bool
  public var cumulativeGasUsed: UInt64
  public var logsBloom: Bloom
  public var logs: [Log]

  public init(decoding encoded: Bytes) throws(RLPError) {
    // A typed receipt starts with its type byte (below 0x80); a legacy one with a list
    // header (0xc0 or above).
    var body = encoded
    type = 0
    if let first = encoded.first, first < 0x80 {
      type = first
      body.removeFirst()
    }
    var outer = RLPReader(body)
    var r = try outer.readList()
    try outer.finish()
    let status = try r.readBytes()
    guard status.count <= 1, (status.first ?? 0) <= 1 else { throw .integerOverflow(byteCount: status.count, limit: 1) }
    success = status == [1]
    cumulativeGasUsed = try r.readUInt64()
    let bloom = try r.readBytes()
    guard bloom.count == Bloom.byteCount else { throw .wrongLength(expected: Bloom.byteCount, actual: bloom.count) }
    logsBloom = Bloom(bytes: bloom)
    var logList = try r.readList()
    var logs: [Log] = []
    while !logList.isAtEnd {
      var log = try logList.readList()
      let address = try log.readAddress()
      var topicList = try log.readList()
      var topics: [Hash32] = []
      while !topicList.isAtEnd { topics.append(try topicList.readHash32()) }
      let data = try log.readBytes()
      try log.finish()
      logs.append(Log(address: address, topics: topics, data: data))
    }
    self.logs = logs
    try r.finish()
  }
}

extension StoredReceipt {
  /// The receipt's status, gas, bloom and logs, decoded from `encoded`.
  public func fields() throws(RLPError) -> ReceiptFields { try ReceiptFields(decoding: encoded) }
}
