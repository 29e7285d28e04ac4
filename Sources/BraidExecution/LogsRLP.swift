/// The RLP form of logs, shared by the state-test logs hash and receipts: each log is
/// [address, [topic, ...], data] (Yellow Paper, section 4.3.1).
import BraidEVM
import BraidPrimitives

extension RLPWriter {
  public mutating func append(logs: [Log]) {
    appendList { (w: inout RLPWriter) in
      for log in logs {
        w.appendList { (w: inout RLPWriter) in
          w.append(address: log.address)
          w.appendList { (w: inout RLPWriter) in
            for topic in log.topics { w.append(hash: topic) }
          }
          w.append(bytes: log.data)
        }
      }
    }
  }
}

extension Array where Element == Log {
  /// keccak256(rlp(logs)): what a state test's `logs` field holds.
  public var rlpHash: Hash32 {
    var w = RLPWriter()
    w.append(logs: self)
    return Keccak256.hash(w.bytes)
  }
}
