/// The receipt writer that skips the `JSONValue` tree must produce byte for byte what the
/// object model (`RPCObjects.receipt`) renders, for every shape of field.
import BraidEVM
import BraidPrimitives
import Testing

@testable import BraidRPC

private func receipt(
  index: Int, to: Address?, contract: Address?, success: Bool, price: UInt256, logs: [Log], number: UInt64
) -> ReceiptRecord {
  let location = TransactionLocation(
    blockNumber: number, blockHash: Keccak256.hash([UInt8(index & 0xFF), 7]), index: index)
  let txHash = Keccak256.hash([UInt8(index & 0xFF), 9])
  var bloom = Bloom()
  for l in logs { bloom.add(log: l.address, topics: l.topics) }
  return ReceiptRecord(
    transactionHash: txHash, location: location, from: Address(word: UInt256(0xABCDEF)), to: to, type: 2,
    success: success, cumulativeGasUsed: 21_000 * UInt64(index + 1), gasUsed: index == 0 ? 0 : 51_234,
    effectiveGasPrice: price, contractAddress: contract,
    logs: logs.enumerated().map {
      LogRecord(log: $1, location: location, transactionHash: txHash, logIndex: 3 * index + $0)
    }, logsBloom: bloom)
}

@Test(arguments: 0..<5)
func directReceiptEqualsObjectModel(_ shape: Int) {
  let token = Address(word: UInt256(0x1234_5678_9ABC_DEF0))
  let transfer = Log(
    address: token, topics: [Keccak256.hash(Array("Transfer(address,address,uint256)".utf8)), .zero],
    data: UInt256(1000).bigEndianBytes)
  let r: ReceiptRecord
  switch shape {
  case 0: r = receipt(index: 0, to: token, contract: nil, success: true, price: .zero, logs: [], number: 0)
  case 1: r = receipt(index: 1, to: token, contract: nil, success: true, price: 1_000_000_007, logs: [transfer], number: 1)
  case 2: r = receipt(index: 2, to: nil, contract: token, success: false, price: .max, logs: [], number: 0xFFFF_FFFF)
  case 3:
    r = receipt(
      index: 300, to: Address.zero, contract: nil, success: true, price: UInt256(w0: 1, w1: 0, w2: 5, w3: 0),
      logs: [transfer, Log(address: .zero, topics: [], data: [])], number: 1 << 40)
  default:
    r = receipt(index: 15, to: token, contract: nil, success: true, price: UInt256(16), logs: [transfer], number: 16)
  }
  var direct = JSONWriter()
  direct.write(receipt: r)
  var viaObjects = JSONWriter()
  viaObjects.write(RPCObjects.receipt(r))
  #expect(String(decoding: direct.bytes, as: UTF8.self) == String(decoding: viaObjects.bytes, as: UTF8.self))
}
