import BraidBlockSTM
import Foundation
import Synchronization

/// A VM whose transactions are closures, for scenarios written out by hand. Keys are names,
/// values and deltas integers. `Probe` lets a transaction see how often it has been run and
/// lets transactions wait for each other, to force an interleaving (an ESTIMATE being read,
/// an incarnation being aborted) instead of hoping for it.
struct ScriptedVM: BlockSTMVM {
  typealias Key = String
  typealias Value = Int
  typealias Delta = Int
  typealias Output = Int
  typealias Body = @Sendable (TxnIndex, inout ReadView<ScriptedVM>, Probe) -> VMResult<ScriptedVM>

  let storage: [String: Int]
  let txns: [Body]
  let probe: Probe

  init(storage: [String: Int] = [:], txns: [Body]) {
    self.storage = storage
    self.txns = txns
    probe = Probe(count: txns.count)
  }

  func storageValue(_ key: String) -> Int { storage[key] ?? 0 }
  static func apply(_ delta: Int, to value: Int) -> Int { value + delta }
  static func merge(_ first: Int, _ second: Int) -> Int { first + second }

  func execute(_ txn: TxnIndex, view: inout ReadView<ScriptedVM>) -> VMResult<ScriptedVM> {
    probe.calls.withLock { $0[txn] += 1 }
    return txns[txn](txn, &view, probe)
  }
}

/// Shared between the scripted transactions and the test: call counts and named events.
final class Probe: Sendable {
  let calls: Mutex<[Int]>
  let events = Mutex<Set<String>>([])
  let timedOut = Atomic<Bool>(false)

  init(count: Int) { calls = Mutex([Int](repeating: 0, count: count)) }

  var didTimeOut: Bool { timedOut.load(ordering: .relaxed) }

  func callCount(_ txn: TxnIndex) -> Int { calls.withLock { $0[txn] } }

  func signal(_ event: String) { _ = events.withLock { $0.insert(event) } }

  func happened(_ event: String) -> Bool { events.withLock { $0.contains(event) } }

  /// Waits for `event`; gives up after a few seconds (recording it) rather than hang the suite
  /// when the scheduler never produces the interleaving.
  func wait(for event: String, seconds: Double = 5) {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while !happened(event) {
      if ContinuousClock.now > deadline {
        timedOut.store(true, ordering: .relaxed)
        return
      }
      usleep(100)
    }
  }
}
