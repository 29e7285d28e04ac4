/// `braid bench rpc`: replays a benchmark block's signed transactions against a running
/// `braid serve --genesis BLOCK` over JSON-RPC, the way a busy client would, and measures
/// the whole path: HTTP, decoding, signature recovery, admission, blocks, execution, commit.
///
/// Submission: `--connections` keep-alive connections, each sending `eth_sendRawTransaction`
/// batches of `--batch` calls, one batch in flight per connection. A sender's transactions
/// all go down one connection in nonce order, so none arrives before its predecessor and
/// waits in the pool's future queue.
///
/// Receipts: one more connection follows the chain: `eth_blockNumber` every 2 ms, then
/// each new block's receipts with one `eth_getBlockReceipts`. A transaction's latency runs
/// from just before its batch is written to the moment the response carrying its receipt
/// is read. Polling blocks rather than every outstanding receipt keeps the observer's load
/// on the server to two requests per block plus the polls.
import ArgumentParser
import BraidPrimitives
import BraidRPC
import Dispatch
import Foundation
import Synchronization

struct BenchRPCCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rpc",
    abstract: "Submit a benchmark block's signed transactions to a running server and time them to receipt.",
    discussion: """
      Start the server with the block as genesis first, for example:
        braid serve --genesis erc20-10000.json.gz --http-port 8545
      then: braid bench rpc --url http://127.0.0.1:8545 erc20-10000.json.gz
      Prints one JSON object: accepted per second, executed per second end to end, latency
      percentiles from submission to receipt, and rejections.
      """)

  @Option(help: "The server's JSON-RPC URL (http://HOST:PORT, HOST an IP address or localhost).")
  var url = "http://127.0.0.1:8545"

  @Option(help: "Keep-alive connections submitting in parallel.")
  var connections = 4

  @Option(help: "Calls per JSON-RPC batch (the server takes at most 1000).")
  var batch = 250

  @Option(help: "Seconds to wait for receipts after the last submission.")
  var timeout = 60

  @Argument(help: "A benchmark block file (.json or .json.gz) the server was started with as genesis.")
  var block: String

  func validate() throws {
    guard connections >= 1 else { throw ValidationError("--connections must be at least 1") }
    guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
    guard timeout >= 1 else { throw ValidationError("--timeout must be at least 1") }
    _ = try BenchTarget(url: url)
  }

  func run() throws {
    let target = try BenchTarget(url: url)
    let workload = try RPCWorkload(path: block)
    let plan = workload.plan(connections: connections, batch: batch)

    let observer = try target.connect()
    let chainId = try observer.call("eth_chainId", "[]").stringValue.flatMap { UInt64(hex: $0) }
    guard chainId == workload.chainId else {
      throw InputError(
        "server at \(url) has chain id \(chainId.map(String.init) ?? "?"), the block's is \(workload.chainId): "
          + "start it with --genesis \(block)")
    }
    let startHead = try observer.blockNumber()
    if startHead > 0 {
      printError("warning: the server has already made \(startHead) blocks; a replay will be refused")
    }

    let run = SubmissionRun(plan: plan, target: target)
    try run.connectAll()
    let cpu0 = processCPUSeconds()
    let t0 = monotonicNow()
    run.release()
    let receipts = try follow(
      observer, workload: workload, from: startHead + 1, run: run, timeoutNanos: UInt64(timeout) * 1_000_000_000)
    let senders = run.finish()
    if let failure = senders.compactMap(\.failure).first { throw InputError("submission failed: \(failure)") }

    let cpu = processCPUSeconds() - cpu0
    var receiptLog = receipts
    if receiptLog.blockSizes.count == 1 {
      // Compared with the file's state root only when the whole block landed in one block.
      let block = try observer.call("eth_getBlockByNumber", "[\"\(Quantity.hex(startHead + 1))\",false]")
      receiptLog.lastStateRoot = block.objectValue?["stateRoot"]?.stringValue.flatMap { try? Hash32(hex: $0) }
    }
    var report = BenchRPCReport(
      workload: workload, connections: connections, batch: batch, start: t0, senders: senders, receipts: receiptLog)
    report.clientCPUSeconds = cpu
    print(report.json())
    if report.missingReceipts > 0 {
      throw InputError("\(report.missingReceipts) accepted transactions got no receipt within \(timeout) s")
    }
  }

  /// Follows the chain from block `from` until every accepted transaction has a receipt,
  /// or `timeoutNanos` after the last submission: polls `eth_blockNumber` and reads each
  /// new block's receipts with one `eth_getBlockReceipts`.
  private func follow(
    _ observer: RPCClient, workload: RPCWorkload, from: UInt64, run: SubmissionRun, timeoutNanos: UInt64
  ) throws -> ReceiptLog {
    var log = ReceiptLog(count: workload.count)
    var next = from
    var deadline = UInt64.max
    while true {
      // Read `done` before `accepted`: once every sender is done the count is final.
      let done = run.sendersDone
      if done && log.seen >= run.accepted { break }
      if done && deadline == .max { deadline = monotonicNow() + timeoutNanos }
      if monotonicNow() > deadline { break }
      let head = try observer.blockNumber()
      guard head >= next else {
        // A block takes milliseconds to make; polling faster only loads the server.
        usleep(2000)
        continue
      }
      for number in next...head {
        let body = try observer.postRaw(
          method: "eth_getBlockReceipts", params: "[\"\(Quantity.hex(number))\"]")
        let seenAt = monotonicNow()
        guard let receipts = try ReceiptScan.statuses(inResponse: body) else {
          throw HTTPClientError("eth_getBlockReceipts: block \(number) not found below head \(head)")
        }
        log.blockSizes.append(receipts.count)
        for r in receipts {
          if let i = workload.index[r.hash] { log.record(i, at: seenAt, success: r.success) }
        }
      }
      next = head + 1
    }
    return log
  }
}

/// Where the server is: from `http://HOST:PORT[/PATH]`.
struct BenchTarget: Sendable {
  let host: String
  let port: Int
  let path: String

  init(url: String) throws(ValidationError) {
    guard url.hasPrefix("http://") else { throw ValidationError("--url must start with http://") }
    var rest = Substring(url.dropFirst("http://".count))
    var path = "/"
    if let slash = rest.firstIndex(of: "/") {
      path = String(rest[slash...])
      rest = rest[..<slash]
    }
    var host: Substring
    var portText: Substring = "80"
    if rest.hasPrefix("[") {
      guard let close = rest.firstIndex(of: "]") else { throw ValidationError("--url: unterminated [IPv6]") }
      host = rest[rest.index(after: rest.startIndex)..<close]
      let after = rest[rest.index(after: close)...]
      if after.hasPrefix(":") { portText = after.dropFirst() }
    } else if let colon = rest.lastIndex(of: ":") {
      host = rest[..<colon]
      portText = rest[rest.index(after: colon)...]
    } else {
      host = rest
    }
    guard !host.isEmpty, let port = Int(portText), (1...65535).contains(port) else {
      throw ValidationError("--url: '\(url)' is not http://HOST:PORT")
    }
    self.host = String(host)
    self.port = port
    self.path = path
  }

  func connect() throws(HTTPClientError) -> RPCClient {
    RPCClient(try HTTPClientConnection(host: host, port: port), path: path)
  }
}

/// JSON-RPC calls over one connection, answers parsed with BraidRPC's JSON codec.
final class RPCClient {
  private let connection: HTTPClientConnection
  private let path: String
  private var nextId = 1

  init(_ connection: HTTPClientConnection, path: String) {
    self.connection = connection
    self.path = path
  }

  /// One call; `params` is the JSON text of the params array.
  func call(_ method: String, _ params: String) throws -> BraidRPC.JSONValue {
    nextId += 1
    let body = #"{"jsonrpc":"2.0","id":\#(nextId),"method":"\#(method)","params":\#(params)}"#
    let answer = try post(Array(body.utf8))
    guard let object = answer.objectValue else { throw HTTPClientError("\(method): answer is not an object") }
    if let error = object["error"] { throw HTTPClientError("\(method): \(RPCAnswers.message(error))") }
    return object["result"] ?? .null
  }

  /// One call whose answer the caller reads itself: the response body.
  func postRaw(method: String, params: String) throws -> [UInt8] {
    nextId += 1
    let body = #"{"jsonrpc":"2.0","id":\#(nextId),"method":"\#(method)","params":\#(params)}"#
    let response = try connection.postJSON(path: path, body: Array(body.utf8))
    guard response.status == 200 else {
      throw HTTPClientError("HTTP \(response.status): \(String(decoding: response.body.prefix(200), as: UTF8.self))")
    }
    return response.body
  }

  func blockNumber() throws -> UInt64 {
    guard let text = try call("eth_blockNumber", "[]").stringValue, let n = UInt64(hex: text) else {
      throw HTTPClientError("eth_blockNumber: not a quantity")
    }
    return n
  }

  /// A batch of calls with caller-chosen ids; answers by id, nil where the call failed.
  func batch(_ calls: [(id: Int, method: String, params: String)]) throws -> [(Int, BraidRPC.JSONValue?)] {
    var body = "["
    for (k, c) in calls.enumerated() {
      if k > 0 { body += "," }
      body += #"{"jsonrpc":"2.0","id":\#(c.id),"method":"\#(c.method)","params":\#(c.params)}"#
    }
    body += "]"
    return try RPCAnswers.results(post(Array(body.utf8))).map { ($0.id, try? $0.result.get()) }
  }

  func post(_ body: [UInt8]) throws -> BraidRPC.JSONValue {
    let response = try connection.postJSON(path: path, body: body)
    guard response.status == 200 else {
      throw HTTPClientError("HTTP \(response.status): \(String(decoding: response.body.prefix(200), as: UTF8.self))")
    }
    return try JSONParser.parse(response.body)
  }
}

/// Reading JSON-RPC answers.
enum RPCAnswers {
  /// Each answer of a batch: its numeric id and its result or error message.
  static func results(_ answer: BraidRPC.JSONValue) throws(HTTPClientError) -> [(id: Int, result: Result<BraidRPC.JSONValue, HTTPClientError>)] {
    guard let items = answer.arrayValue else {
      // A whole-batch failure (too large, unparsable) is one error object.
      if let error = answer.objectValue?["error"] { throw HTTPClientError("batch refused: \(message(error))") }
      throw HTTPClientError("batch answer is not an array")
    }
    var out: [(id: Int, result: Result<BraidRPC.JSONValue, HTTPClientError>)] = []
    out.reserveCapacity(items.count)
    for item in items {
      guard let object = item.objectValue, let id = object["id"]?.uint64Value.map(Int.init) else {
        throw HTTPClientError("batch answer without a numeric id")
      }
      if let error = object["error"] {
        out.append((id, .failure(HTTPClientError(message(error)))))
      } else {
        out.append((id, .success(object["result"] ?? .null)))
      }
    }
    return out
  }

  static func message(_ error: BraidRPC.JSONValue) -> String {
    error.objectValue?["message"]?.stringValue ?? "unknown error"
  }
}

extension UInt64 {
  /// A JSON-RPC quantity: `0x` and hex digits.
  init?(hex text: String) {
    guard text.hasPrefix("0x"), let v = UInt64(text.dropFirst(2), radix: 16) else { return nil }
    self = v
  }
}

extension Array {
  func chunked(_ size: Int) -> [ArraySlice<Element>] {
    stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
  }
}

/// User plus system CPU time of this whole process so far, in seconds: the bench's own cost,
/// which shares the machine with the server it measures.
func processCPUSeconds() -> Double {
  var usage = rusage()
  getrusage(RUSAGE_SELF.rawValue, &usage)
  func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
  return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// CLOCK_MONOTONIC in nanoseconds.
func monotonicNow() -> UInt64 {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}
