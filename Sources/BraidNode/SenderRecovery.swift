/// Sender recovery for transactions submitted one per request, eight at a time.
///
/// A JSON-RPC batch has its senders recovered together (`NodeChain.prepareSubmissions`),
/// but most clients (web3.py, ethers, cast) send one `eth_sendRawTransaction` per request,
/// and recovering each on its event loop cost a full libsecp256k1 call, about 45 µs, where
/// the eight-lane path (`Secp256k1.recoverPublicKeys`) costs about 10 µs a signature. Here
/// the event loops only queue the raw transaction and return; one thread takes everything
/// queued, recovers it together, and hands each result on. While it recovers, requests
/// arriving on other connections queue up for its next round, so under load rounds fill
/// up by themselves, with no timer.
///
/// The price is two thread hops per request (to this thread, and back to the event loop
/// with the answer), about 40 µs on the 2-core development machine: a client that sends
/// one request at a time and waits for each answer got 16% fewer per second (4.5k against
/// 3.8k), which is small against the block interval it then waits for its receipt. Doing
/// a request at once on its own thread whenever no other was being recovered kept that
/// client's rate but lost the gain under load: the two event loops rarely overlap, and each
/// then recovered its ready requests one by one again. Doing it at once only when nothing
/// had arrived for 50 µs gave that client 4.4–4.8k but cost the 16-connection load 15%.
/// Where the CPU lacks the eight-lane path there is nothing to gain, and recovery stays on
/// the caller's thread.
import BraidCrypto
import BraidEVM
import BraidPrimitives
import Dispatch
import Foundation
import Synchronization

final class SenderRecovery: Sendable {
  typealias Continuation = @Sendable (Result<SignedTransaction, AdmissionError>) -> Void

  private struct Queue {
    var raws: [Bytes] = []
    var continuations: [Continuation] = []
    var stopping = false
    /// The thread starts with the first queued transaction: a node that never gets one
    /// (most tests) never starts it.
    var started = false
    /// While set, the thread leaves the queue alone (tests use it to build up a round).
    var held = false
    var largestRound = 0
  }

  private let rules: AdmissionRules
  private let queue = Mutex(Queue())
  private let ready = DispatchSemaphore(value: 0)
  private let stopped = DispatchSemaphore(value: 0)

  /// Called after each round with how many transactions it recovered.
  private let onRound: @Sendable (Int) -> Void

  init(rules: AdmissionRules, onRound: @escaping @Sendable (Int) -> Void = { _ in }) {
    self.rules = rules
    self.onRound = onRound
  }

  private func startThread() {
    let thread = Thread { [self] in
      loop()
      stopped.signal()
    }
    thread.name = "braid-recovery"
    thread.start()
  }

  /// Whether queueing pays: only where the eight-lane recovery runs.
  static var isWorthwhile: Bool { Secp256k1.batchRecoveryUsesSIMD }

  /// Decodes `raw` and recovers its sender on the recovery thread, then calls `then` there.
  /// After `stop`, on the caller's thread.
  func decode(_ raw: Bytes, then: @escaping Continuation) {
    let (queued, start) = queue.withLock { q in
      guard !q.stopping else { return (false, false) }
      q.raws.append(raw)
      q.continuations.append(then)
      defer { q.started = true }
      return (true, !q.started)
    }
    guard queued else { return then(rules.decodeAll([raw])[0]) }
    if start { startThread() }
    ready.signal()
  }

  /// Runs `body` while the thread takes nothing from the queue: what `body` queues is then
  /// recovered in one round. For tests.
  func holdingRounds(_ body: () -> Void) {
    queue.withLock { $0.held = true }
    body()
    queue.withLock { $0.held = false }
    ready.signal()
  }

  /// The most transactions recovered in one round so far.
  var largestRound: Int { queue.withLock { $0.largestRound } }

  /// Finishes what is queued, then stops the thread.
  func stop() {
    let running = queue.withLock { q in
      defer { q.stopping = true }
      return !q.stopping && q.started
    }
    guard running else { return }
    ready.signal()
    stopped.wait()
  }

  private func loop() {
    while true {
      ready.wait()
      let (raws, continuations, stopping) = queue.withLock { q in
        if q.held && !q.stopping { return ([Bytes](), [Continuation](), false) }
        defer {
          q.largestRound = max(q.largestRound, q.raws.count)
          q.raws = []
          q.continuations = []
        }
        return (q.raws, q.continuations, q.stopping)
      }
      if !raws.isEmpty {
        let results = rules.decodeAll(raws)
        onRound(raws.count)
        for (result, then) in zip(results, continuations) { then(result) }
      }
      if stopping { return }
    }
  }
}
