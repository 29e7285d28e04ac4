/// `braid bench rpc`'s client side without a server: the HTTP response parser fed responses
/// split at every byte boundary, the blocking connection over a socketpair, the --url
/// parser, and how a block's transactions are dealt to connections.
import BraidPrimitives
import Foundation
import Testing

@testable import braid

#if canImport(Glibc)
  import Glibc
#endif

private let lengthFramed = Array(
  "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 13\r\nConnection: keep-alive\r\n\r\n{\"result\":1}\n"
    .utf8)
private let chunked = Array(
  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n"
    .utf8)

/// Feeds `bytes` in two pieces split at `cut` and collects every response.
private func parse(_ bytes: [UInt8], splitAt cut: Int) throws -> [HTTPClientResponse] {
  var parser = HTTPResponseParser()
  var out: [HTTPClientResponse] = []
  for piece in [Array(bytes[..<cut]), Array(bytes[cut...])] {
    parser.feed(piece)
    while let r = try parser.next() { out.append(r) }
  }
  return out
}

@Test func contentLengthResponseParsesAtEverySplit() throws {
  for cut in 0...lengthFramed.count {
    let responses = try parse(lengthFramed, splitAt: cut)
    #expect(responses.count == 1, "split at \(cut)")
    #expect(responses.first?.status == 200)
    #expect(responses.first.map { String(decoding: $0.body, as: UTF8.self) } == "{\"result\":1}\n")
    #expect(responses.first?.closes == false)
  }
}

@Test func chunkedResponseParsesAtEverySplit() throws {
  for cut in 0...chunked.count {
    let responses = try parse(chunked, splitAt: cut)
    #expect(responses.count == 1, "split at \(cut)")
    #expect(responses.first.map { String(decoding: $0.body, as: UTF8.self) } == "hello, world")
  }
}

@Test func pipelinedResponsesComeOutInOrderAndInterimOnesAreSkipped() throws {
  let interim = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
  let closing = Array("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8)
  let stream = interim + lengthFramed + chunked + closing
  for cut in [0, 7, interim.count, interim.count + lengthFramed.count + 3, stream.count] {
    let responses = try parse(stream, splitAt: cut)
    #expect(responses.map(\.status) == [200, 200, 503], "split at \(cut)")
    #expect(responses.map(\.closes) == [false, false, true])
  }
}

@Test func malformedResponsesAreErrorsNotTraps() {
  let bad = [
    "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n",
    "SMTP 220 hello\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
    "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY0\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nunframed",
  ]
  for text in bad {
    var parser = HTTPResponseParser()
    parser.feed(Array(text.utf8))
    #expect(throws: HTTPClientError.self, "\(text.debugDescription)") { try parser.next() }
  }
  var parser = HTTPResponseParser(maxHeaderBytes: 64)
  parser.feed(Array(("HTTP/1.1 200 OK\r\nX: " + String(repeating: "a", count: 100)).utf8))
  #expect(throws: HTTPClientError.self) { try parser.next() }
}

@Test func connectionWritesTheRequestAndReadsTheResponseOverASocket() throws {
  var fds: [Int32] = [0, 0]
  #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
  let serverFD = fds[1]
  // The peer reads one request, then answers in two writes to exercise partial reads.
  let peer = Thread {
    var request: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while !request.ends(with: Array("[1,2,3]".utf8)) {
      let n = buffer.withUnsafeMutableBytes { read(serverFD, $0.baseAddress, $0.count) }
      if n <= 0 { break }
      request += buffer[..<n]
    }
    let text = String(decoding: request, as: UTF8.self)
    let ok = text.hasPrefix("POST /rpc HTTP/1.1\r\n") && text.contains("\r\nContent-Length: 7\r\n")
    let answer = Array("HTTP/1.1 \(ok ? 200 : 400) OK\r\nContent-Length: 4\r\n\r\ntrue".utf8)
    _ = answer.withUnsafeBytes { write(serverFD, $0.baseAddress, 20) }
    usleep(20_000)
    _ = answer.withUnsafeBytes { write(serverFD, $0.baseAddress! + 20, $0.count - 20) }
    close(serverFD)
  }
  peer.start()
  let connection = HTTPClientConnection(descriptor: fds[0])
  let response = try connection.postJSON(path: "/rpc", body: Array("[1,2,3]".utf8))
  #expect(response.status == 200)
  #expect(response.body == Array("true".utf8))
  // The peer closed after one answer: the next request fails with an error, not a hang.
  #expect(throws: HTTPClientError.self) { try connection.postJSON(body: Array("[1,2,3]".utf8)) }
}

extension Array where Element == UInt8 {
  fileprivate func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}

@Test func benchURLsParse() throws {
  let a = try BenchTarget(url: "http://127.0.0.1:8545")
  #expect(a.host == "127.0.0.1" && a.port == 8545 && a.path == "/")
  let b = try BenchTarget(url: "http://[::1]:9000/rpc")
  #expect(b.host == "::1" && b.port == 9000 && b.path == "/rpc")
  let c = try BenchTarget(url: "http://localhost")
  #expect(c.host == "localhost" && c.port == 80)
  for bad in ["https://x:1", "http://:80", "http://h:99999", "http://h:port", "http://[::1:80"] {
    #expect(throws: (any Error).self, "\(bad)") { try BenchTarget(url: bad) }
  }
}

@Test func eachSendersTransactionsStayOnOneConnectionInBlockOrder() throws {
  // Senders a, b, c, a, d, b, a over 2 connections in batches of 2.
  let senders = ["a", "b", "c", "a", "d", "b", "a"]
  let workload = RPCWorkload(
    name: "t", chainId: 1, raws: senders.indices.map { "0x0\($0)" }, senders: senders,
    hashes: senders.indices.map { Hash32(word: UInt256($0)) }, index: [:], expectedSuccess: nil)
  let plan = workload.plan(connections: 2, batch: 2)
  let lists = plan.map { $0.flatMap(\.indices) }
  #expect(lists == [[0, 2, 3, 6], [1, 4, 5]])
  #expect(plan.map { $0.map(\.indices.count) } == [[2, 2], [2, 1]])
  let body = String(decoding: plan[0][0].body, as: UTF8.self)
  #expect(
    body
      == #"[{"jsonrpc":"2.0","id":0,"method":"eth_sendRawTransaction","params":["0x00"]},"#
      + #"{"jsonrpc":"2.0","id":2,"method":"eth_sendRawTransaction","params":["0x02"]}]"#)
}

@Test func reportPercentilesAndRatesComeFromTheTimes() {
  let n = 100
  let workload = RPCWorkload(
    name: "t", chainId: 1, raws: Array(repeating: "0x", count: n), senders: Array(repeating: "s", count: n),
    hashes: (0..<n).map { Hash32(word: UInt256($0)) }, index: [:], expectedSuccess: nil)
  let start: UInt64 = 1_000_000_000
  var sender = SenderResult()
  // Transaction i is submitted at start and seen (i + 1) ms later; the last one is refused.
  for i in 0..<n { sender.submissions.append((i, start, i < n - 1)) }
  sender.rejections["nonce too low"] = 1
  sender.finishedAt = start + 500_000_000
  var log = ReceiptLog(count: n)
  for i in 0..<(n - 1) { log.record(i, at: start + UInt64(i + 1) * 1_000_000, success: i != 0) }
  log.blockSizes = [99]
  let report = BenchRPCReport(
    workload: workload, connections: 1, batch: 100, start: start, senders: [sender], receipts: log)
  #expect(report.accepted == 99 && report.rejected == 1 && report.receipts == 99)
  #expect(report.failedReceipts == 1 && report.missingReceipts == 0)
  #expect(report.percentile(50) == 50 && report.percentile(99) == 99)
  #expect(abs(report.endToEndSeconds - 0.099) < 1e-9)
  let json = report.json()
  #expect(json.contains(#""accepted_per_second":198.0"#))
  #expect(json.contains(#""latency_ms":{"p50":50.0,"p99":99.0,"max":99.0}"#))
  #expect(json.contains(#""rejections":{"nonce too low":1}"#))
  #expect((try? JSONSerialization.jsonObject(with: Data(json.utf8))) != nil)
}

@Test func stateRootIsComparedOnlyWhenTheWholeBlockLandedInOneBlock() {
  let root = Hash32(word: UInt256(7))
  var workload = RPCWorkload(
    name: "t", chainId: 1, raws: ["0x", "0x"], senders: ["a", "b"], hashes: [Hash32(word: 1), Hash32(word: 2)],
    index: [:], expectedSuccess: nil)
  workload.expectedStateRoot = root
  var sender = SenderResult()
  sender.submissions = [(0, 1, true), (1, 1, true)]
  func report(_ sizes: [Int], _ last: Hash32) -> BenchRPCReport {
    var log = ReceiptLog(count: 2)
    log.record(0, at: 2, success: true)
    log.record(1, at: 3, success: true)
    log.blockSizes = sizes
    log.lastStateRoot = last
    return BenchRPCReport(workload: workload, connections: 1, batch: 2, start: 0, senders: [sender], receipts: log)
  }
  #expect(report([2], root).stateRootMatches == true)
  #expect(report([2], Hash32(word: 8)).stateRootMatches == false)
  #expect(report([1, 1], root).stateRootMatches == nil)
  #expect(report([1, 1], root).json().contains(#""state_root_matches":null"#))
}
