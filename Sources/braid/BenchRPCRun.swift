/// The parts of `braid bench rpc` around the timed loop: the workload read from a block
/// file and cut into per-connection batches (all request bodies built before the clock
/// starts), the submitting threads, what the receipt follower saw, and the JSON report.
import BraidPrimitives
import BraidRPC
import Dispatch
import Foundation
import Synchronization

/// A block file's signed transactions, as the bench sends them.
struct RPCWorkload {
  let name: String
  let chainId: UInt64
  /// `raw` as the file has it: 0x-hex, ready to go into a request.
  let raws: [String]
  let senders: [String]
  let hashes: [Hash32]
  let index: [Hash32: Int]
  /// py-evm's status per transaction, when the file has `expect.receipts`.
  let expectedSuccess: [Bool]?
  /// py-evm's state root after the whole block; a replay that lands in one block must match.
  var expectedStateRoot: Hash32?

  var count: Int { raws.count }

  init(
    name: String, chainId: UInt64, raws: [String], senders: [String], hashes: [Hash32], index: [Hash32: Int],
    expectedSuccess: [Bool]?
  ) {
    self.name = name
    self.chainId = chainId
    self.raws = raws
    self.senders = senders
    self.hashes = hashes
    self.index = index
    self.expectedSuccess = expectedSuccess
  }

  init(path: String) throws(InputError) {
    var base = URL(fileURLWithPath: path).lastPathComponent
    for suffix in [".gz", ".json"] where base.hasSuffix(suffix) { base.removeLast(suffix.count) }
    name = base
    let json = try InputFile.readJSONObject(path)
    chainId = try json.object("env").uint64("chainId")
    var raws: [String] = []
    var senders: [String] = []
    var hashes: [Hash32] = []
    var index: [Hash32: Int] = [:]
    for (i, tx) in try json.objects("transactions").enumerated() {
      let raw = try tx.string("raw")
      let bytes = try tx.bytes("raw")
      let hash = Keccak256.hash(bytes)
      raws.append(raw.hasPrefix("0x") ? raw : "0x" + raw)
      senders.append(try tx.string("from").lowercased())
      hashes.append(hash)
      index[hash] = i
    }
    guard !raws.isEmpty else { throw InputError("\(path): no transactions") }
    self.raws = raws
    self.senders = senders
    self.hashes = hashes
    self.index = index
    if json.has("expect"), let expect = try? json.object("expect"), expect.has("receipts") {
      var expected: [Bool] = []
      for item in try expect.array("receipts") {
        // [status, gasUsed] or {status, gasUsed}; only the status matters here.
        let status = (item as? [Any])?.first ?? (item as? [String: Any])?["status"]
        expected.append(status.flatMap { try? JSONValue.uint64($0, at: "") } == 1)
      }
      expectedSuccess = expected.count == raws.count ? expected : nil
      expectedStateRoot = expect.has("stateRoot") ? try expect.hash("stateRoot") : nil
    } else {
      expectedSuccess = nil
    }
  }

  /// Senders are dealt to connections in order of first appearance, so each connection
  /// gets about the same number of transactions and a sender's stay in nonce order.
  func plan(connections: Int, batch: Int) -> [[RPCBatch]] {
    var connectionOf: [String: Int] = [:]
    var lists = [[Int]](repeating: [], count: connections)
    for i in 0..<count {
      let c: Int
      if let known = connectionOf[senders[i]] {
        c = known
      } else {
        c = connectionOf.count % connections
        connectionOf[senders[i]] = c
      }
      lists[c].append(i)
    }
    return lists.map { list in
      list.chunked(batch).map { chunk in
        var body = "["
        for (k, i) in chunk.enumerated() {
          if k > 0 { body += "," }
          body += #"{"jsonrpc":"2.0","id":\#(i),"method":"eth_sendRawTransaction","params":["\#(raws[i])"]}"#
        }
        body += "]"
        return RPCBatch(indices: Array(chunk), body: Array(body.utf8))
      }
    }
  }
}

struct RPCBatch: Sendable {
  let indices: [Int]
  let body: [UInt8]
}

/// What one submitting connection did.
struct SenderResult: Sendable {
  /// (transaction index, monotonic ns just before its batch was written, accepted).
  var submissions: [(index: Int, at: UInt64, accepted: Bool)] = []
  var rejections: [String: Int] = [:]
  /// When the last answer was read.
  var finishedAt: UInt64 = 0
  var failure: String?
}

/// The submitting threads: each connects, waits at the gate, then sends its batches one
/// after another on its own keep-alive connection.
final class SubmissionRun: Sendable {
  private let plan: [[RPCBatch]]
  private let target: BenchTarget
  private let gate = DispatchSemaphore(value: 0)
  private let ready = DispatchSemaphore(value: 0)
  private let finished = DispatchSemaphore(value: 0)
  private let acceptedCount = Atomic<Int>(0)
  private let doneCount = Atomic<Int>(0)
  /// Set when a connection failed before the start: the others then send nothing.
  private let aborted = Atomic<Bool>(false)
  private let results: Mutex<[SenderResult]>

  init(plan: [[RPCBatch]], target: BenchTarget) {
    self.plan = plan
    self.target = target
    results = Mutex([SenderResult](repeating: SenderResult(), count: plan.count))
  }

  var accepted: Int { acceptedCount.load(ordering: .acquiring) }
  var sendersDone: Bool { doneCount.load(ordering: .acquiring) == plan.count }

  /// Starts the threads and returns once each has connected (or failed to).
  func connectAll() throws(InputError) {
    for c in plan.indices {
      Thread { [self] in send(c) }.start()
    }
    for _ in plan.indices { ready.wait() }
    if let failure = results.withLock({ $0.compactMap(\.failure).first }) {
      aborted.store(true, ordering: .releasing)
      release()
      _ = finish()
      throw InputError("cannot connect to \(target.host):\(target.port): \(failure)")
    }
  }

  func release() { for _ in plan.indices { gate.signal() } }

  /// Waits for every thread and returns what each did.
  func finish() -> [SenderResult] {
    for _ in plan.indices { finished.wait() }
    return results.withLock { $0 }
  }

  private func send(_ c: Int) {
    var result = SenderResult()
    defer {
      let r = result
      results.withLock { $0[c] = r }
      doneCount.add(1, ordering: .releasing)
      finished.signal()
    }
    let client: RPCClient
    do {
      client = try target.connect()
    } catch {
      result.failure = error.description
      results.withLock { $0[c] = result }
      ready.signal()
      gate.wait()
      return
    }
    ready.signal()
    gate.wait()
    if aborted.load(ordering: .acquiring) { return }
    result.submissions.reserveCapacity(plan[c].reduce(0) { $0 + $1.indices.count })
    do {
      for batch in plan[c] {
        let at = monotonicNow()
        let answers = try RPCAnswers.results(try client.post(batch.body))
        var accepted = 0
        for (id, outcome) in answers {
          switch outcome {
          case .success:
            accepted += 1
            result.submissions.append((id, at, true))
          case .failure(let error):
            result.submissions.append((id, at, false))
            result.rejections[error.description, default: 0] += 1
          }
        }
        acceptedCount.add(accepted, ordering: .releasing)
      }
    } catch {
      result.failure = "\(error)"
    }
    result.finishedAt = monotonicNow()
  }
}

/// Receipts as the follower first saw them.
struct ReceiptLog {
  var seenAt: [UInt64]
  var success: [Bool]
  var seen = 0
  var blockSizes: [Int] = []
  var lastStateRoot: Hash32?

  init(count: Int) {
    seenAt = [UInt64](repeating: 0, count: count)
    success = [Bool](repeating: false, count: count)
  }

  mutating func record(_ i: Int, at time: UInt64, success ok: Bool) {
    guard seenAt[i] == 0 else { return }
    seenAt[i] = time
    success[i] = ok
    seen += 1
  }
}

/// The figures, and the one JSON object they are printed as.
struct BenchRPCReport {
  var block: String
  var transactions: Int
  var connections: Int
  var batch: Int
  var accepted = 0
  var rejected = 0
  var rejections: [String: Int] = [:]
  var receipts = 0
  var failedReceipts = 0
  var statusMismatches: Int?
  var missingReceipts = 0
  var submitSeconds = 0.0
  var endToEndSeconds = 0.0
  var latencies: [Double] = []
  var blockSizes: [Int] = []
  /// Whether the chain's state root equals the file's: only meaningful when the whole block
  /// went into one block (later blocks have other base fees, so other balances).
  var stateRootMatches: Bool?
  /// CPU seconds the bench process itself used from the first submission to the last receipt.
  var clientCPUSeconds = 0.0

  init(
    workload: RPCWorkload, connections: Int, batch: Int, start: UInt64, senders: [SenderResult],
    receipts log: ReceiptLog
  ) {
    block = workload.name
    transactions = workload.count
    self.connections = connections
    self.batch = batch
    blockSizes = log.blockSizes
    if blockSizes == [workload.count], let expected = workload.expectedStateRoot {
      stateRootMatches = log.lastStateRoot == expected
    }
    var lastAnswer = start
    var submittedAt = [UInt64](repeating: 0, count: workload.count)
    var wasAccepted = [Bool](repeating: false, count: workload.count)
    for s in senders {
      lastAnswer = max(lastAnswer, s.finishedAt)
      for (k, n) in s.rejections { rejections[k, default: 0] += n }
      for sub in s.submissions where sub.index >= 0 && sub.index < workload.count {
        submittedAt[sub.index] = sub.at
        wasAccepted[sub.index] = sub.accepted
      }
    }
    var lastReceipt = start
    var mismatches = 0
    for i in 0..<workload.count {
      if wasAccepted[i] { accepted += 1 } else if submittedAt[i] != 0 { rejected += 1 }
      guard log.seenAt[i] != 0 else {
        if wasAccepted[i] { missingReceipts += 1 }
        continue
      }
      receipts += 1
      if !log.success[i] { failedReceipts += 1 }
      if let expected = workload.expectedSuccess, expected[i] != log.success[i] { mismatches += 1 }
      lastReceipt = max(lastReceipt, log.seenAt[i])
      if submittedAt[i] != 0 { latencies.append(Double(log.seenAt[i] &- submittedAt[i]) / 1e6) }
    }
    statusMismatches = workload.expectedSuccess == nil ? nil : mismatches
    latencies.sort()
    submitSeconds = Double(lastAnswer - start) / 1e9
    endToEndSeconds = Double(lastReceipt - start) / 1e9
  }

  /// Nearest-rank percentile of the sorted latencies, in milliseconds.
  func percentile(_ p: Double) -> Double {
    guard !latencies.isEmpty else { return 0 }
    let rank = Int((p / 100 * Double(latencies.count)).rounded(.up))
    return latencies[min(latencies.count - 1, max(0, rank - 1))]
  }

  func json() -> String {
    func num(_ x: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", x) }
    func rate(_ n: Int, _ seconds: Double) -> String { seconds > 0 ? num(Double(n) / seconds) : "0" }
    let reasons = rejections.sorted { $0.value > $1.value }.prefix(10).map { key, n in
      "\(jsonString(key)):\(n)"
    }
    var fields: [String] = [
      "\"block\":\(jsonString(block))", "\"transactions\":\(transactions)", "\"connections\":\(connections)",
      "\"batch\":\(batch)", "\"accepted\":\(accepted)", "\"rejected\":\(rejected)",
      "\"accepted_per_second\":\(rate(accepted, submitSeconds))", "\"submit_seconds\":\(num(submitSeconds, 4))",
      "\"receipts\":\(receipts)", "\"failed_receipts\":\(failedReceipts)",
    ]
    if let statusMismatches { fields.append("\"status_mismatches\":\(statusMismatches)") }
    fields += [
      "\"missing_receipts\":\(missingReceipts)",
      "\"executed_per_second\":\(rate(receipts, endToEndSeconds))",
      "\"end_to_end_seconds\":\(num(endToEndSeconds, 4))",
      "\"latency_ms\":{\"p50\":\(num(percentile(50))),\"p99\":\(num(percentile(99))),"
        + "\"max\":\(num(latencies.last ?? 0))}",
      "\"client_cpu_seconds\":\(num(clientCPUSeconds, 3))",
      "\"blocks\":\(blockSizes.count)",
      "\"state_root_matches\":\(stateRootMatches.map { String($0) } ?? "null")", "\"block_sizes\":[\(blockSizes.map(String.init).joined(separator: ","))]",
      "\"rejections\":{\(reasons.joined(separator: ","))}",
    ]
    return "{" + fields.joined(separator: ",") + "}"
  }

  private func jsonString(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
      default: out.unicodeScalars.append(u)
      }
    }
    return out + "\""
  }
}
