/// The bench's receipt scanner: each receipt's own `transactionHash` and `status` (not
/// those of its logs), null for a missing block, JSON-RPC errors and malformed JSON refused.
import BraidPrimitives
import Testing

@testable import braid

private let hashA = "0x" + String(repeating: "ab", count: 32)
private let hashB = "0x" + String(repeating: "cd", count: 32)
private let other = "0x" + String(repeating: "ef", count: 32)

/// A receipt the way servers write it: the log's own `transactionHash` comes first, so a
/// scanner that took the first one it met would be wrong.
private func receipt(_ hash: String, status: String) -> String {
  #"{"blockHash":"\#(other)","logs":[{"address":"0x01","topics":["\#(other)"],"data":"0x","transactionHash":"\#(other)","removed":false,"logIndex":"0x0"}],"# +
    #""logsBloom":"0x00","nested":{"status":"0x5","a":[1,-2.5e3,true,null,"x\"y"]},"transactionHash":"\#(hash)","status":"\#(status)","gasUsed":"0x5208"}"#
}

private func scan(_ text: String) throws -> [ReceiptStatus]? {
  try ReceiptScan.statuses(inResponse: Array(text.utf8))
}

@Test func scannerReadsEachReceiptsOwnHashAndStatus() throws {
  let body = #"{"jsonrpc":"2.0","id":7,"result":[ "# + receipt(hashA, status: "0x1") + " , \n" + receipt(hashB, status: "0x0")
    + "]}"
  let statuses = try #require(try scan(body))
  #expect(statuses == [
    ReceiptStatus(hash: try Hash32(hex: hashA), success: true),
    ReceiptStatus(hash: try Hash32(hex: hashB), success: false),
  ])
  #expect(try scan(#"{"jsonrpc":"2.0","id":7,"result":[]}"#) == [])
  #expect(try scan(#"{"jsonrpc":"2.0","id":7,"result":null}"#) == nil)
}

@Test func scannerRefusesErrorsAndMalformedAnswers() {
  #expect(throws: HTTPClientError.self) {
    try scan(#"{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"the method eth_getBlockReceipts does not exist"}}"#)
  }
  let good = #"{"jsonrpc":"2.0","id":7,"result":["# + receipt(hashA, status: "0x1") + "]}"
  // Every proper prefix is incomplete JSON, and a receipt without a status is no receipt.
  for cut in stride(from: 0, to: good.utf8.count, by: 7) {
    #expect(throws: HTTPClientError.self) { try scan(String(decoding: Array(good.utf8)[..<cut], as: UTF8.self)) }
  }
  #expect(throws: HTTPClientError.self) { try scan(#"{"result":[{"transactionHash":"\#(hashA)"}]}"#) }
  #expect(throws: HTTPClientError.self) { try scan(good + "x") }
}
