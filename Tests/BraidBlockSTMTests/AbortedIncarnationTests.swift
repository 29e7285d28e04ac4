/// What happens to an incarnation that is aborted: its writes become ESTIMATEs, readers of
/// those wait and are resumed, and its next incarnation's write set replaces the old one
/// entirely. The transactions wait on each other's events to force each interleaving.
import BraidBlockSTM
import Foundation
import Testing

@Suite struct AbortedIncarnations {
  /// The paper's rule, with waiting in place switched off: txn 0 writes `k` only after txn 2
  /// has run, so txn 1 first reads the storage value of `k` and is aborted, leaving an
  /// ESTIMATE at `m`. Its second incarnation holds back until txn 2 has read that ESTIMATE;
  /// txn 2 must be suspended, then resumed once txn 1 rewrites `m`, and read the new value.
  @Test(arguments: [2, 3, 4]) func readerOfAnEstimateIsSuspendedAndResumed(threads: Int) {
    let txns: [ScriptedVM.Body] = [
      { _, _, probe in
        probe.wait(for: "txn 2 ran")
        return .done(writes: [("k", .value(1))], output: 0)
      },
      { txn, view, probe in
        guard let k = view.read("k") else { return .dependency }
        if probe.callCount(txn) >= 2 { probe.wait(for: "txn 2 hit the estimate") }
        return .done(writes: [("m", .value(k + 10))], output: k)
      },
      { _, view, probe in
        defer { probe.signal("txn 2 ran") }
        guard let m = view.read("m") else {
          probe.signal("txn 2 hit the estimate")
          return .dependency
        }
        return .done(writes: [], output: m)
      },
    ]
    let vm = ScriptedVM(txns: txns)
    let paper = BlockSTMOptions(waitForExecutingBlockers: false, waitForPredecessorWrites: false)
    let result = BlockSTM.execute(vm, count: 3, threads: threads, options: paper)
    let probe = vm.probe
    #expect(!probe.didTimeOut, "the interleaving was not produced")
    #expect(probe.happened("txn 2 hit the estimate"))
    #expect(result.stats.dependencyWaits >= 1)
    #expect(result.stats.validationFailures >= 1)
    #expect(result.outputs == [0, 1, 11])
    #expect(result.finalValues == ["k": 1, "m": 11])
    #expect(sameCommit(result, BlockSTM.executeSequentially(vm, count: 3)))
  }

  /// The same ESTIMATE, but its writer is being executed when txn 2 reads it: txn 2 waits in
  /// place for that execution to finish and reads the new value, without being suspended.
  @Test(arguments: [2, 3, 4]) func readerOfAnEstimateBeingRewrittenWaitsInPlace(threads: Int) {
    let txns: [ScriptedVM.Body] = [
      { _, _, probe in
        probe.wait(for: "txn 2 ran")
        return .done(writes: [("k", .value(1))], output: 0)
      },
      { txn, view, probe in
        guard let k = view.read("k") else { return .dependency }
        if probe.callCount(txn) >= 2 {
          probe.wait(for: "txn 2 about to read m again")
          usleep(30_000)  // time for txn 2 to reach the ESTIMATE and start waiting
        }
        return .done(writes: [("m", .value(k + 10))], output: k)
      },
      { txn, view, probe in
        if probe.callCount(txn) >= 2 { probe.signal("txn 2 about to read m again") }
        defer { probe.signal("txn 2 ran") }
        guard let m = view.read("m") else { return .dependency }
        return .done(writes: [], output: m)
      },
    ]
    let vm = ScriptedVM(txns: txns)
    // A budget far beyond txn 1's deliberate delay (the default, 20 µs, would suspend txn 2).
    let patient = BlockSTMOptions(waitBudget: .seconds(10))
    let result = BlockSTM.execute(vm, count: 3, threads: threads, options: patient)
    #expect(!vm.probe.didTimeOut, "the interleaving was not produced")
    #expect(result.stats.estimateWaits >= 1)
    #expect(result.stats.dependencyWaits == 0)
    #expect(result.outputs == [0, 1, 11])
    #expect(sameCommit(result, BlockSTM.executeSequentially(vm, count: 3)))
  }

  /// txn 1's first incarnation sees no `k` and writes `a` and `b`; after txn 0 writes `k` it
  /// is aborted and its second incarnation writes only `a`. The stale write at `b` must go:
  /// txn 2 reads the storage value of `b`, and `b` is not part of the commit.
  @Test(arguments: [2, 3, 4, 8]) func secondIncarnationWritesFewerKeys(threads: Int) {
    let txns: [ScriptedVM.Body] = [
      { _, _, probe in
        probe.wait(for: "txn 1 ran")
        return .done(writes: [("k", .value(1))], output: 0)
      },
      { _, view, probe in
        defer { probe.signal("txn 1 ran") }
        guard let k = view.read("k") else { return .dependency }
        if k == 0 { return .done(writes: [("a", .value(1)), ("b", .value(2))], output: k) }
        return .done(writes: [("a", .value(3))], output: k)
      },
      { _, view, _ in
        guard let b = view.read("b") else { return .dependency }
        return .done(writes: [], output: b)
      },
    ]
    let vm = ScriptedVM(storage: ["b": 77], txns: txns)
    let result = BlockSTM.execute(vm, count: 3, threads: threads)
    #expect(!vm.probe.didTimeOut, "the interleaving was not produced")
    #expect(vm.probe.callCount(1) >= 2)
    #expect(result.stats.validationFailures >= 1)
    #expect(result.outputs == [0, 1, 77])
    #expect(result.finalValues == ["k": 1, "a": 3])
    #expect(result.writes[1].map(\.0) == ["a"])
    #expect(sameCommit(result, BlockSTM.executeSequentially(vm, count: 3)))
  }

  /// The reverse: the second incarnation writes a key the first did not. Readers above that
  /// had already resolved past it (to storage) must be validated again and re-executed.
  @Test(arguments: [2, 3, 4]) func secondIncarnationWritesANewKey(threads: Int) {
    let txns: [ScriptedVM.Body] = [
      { _, _, probe in
        probe.wait(for: "txn 2 ran")
        return .done(writes: [("k", .value(1))], output: 0)
      },
      { _, view, _ in
        guard let k = view.read("k") else { return .dependency }
        if k == 0 { return .done(writes: [], output: k) }
        return .done(writes: [("fresh", .value(5))], output: k)
      },
      { _, view, probe in
        defer { probe.signal("txn 2 ran") }
        guard let fresh = view.read("fresh") else { return .dependency }
        return .done(writes: [], output: fresh)
      },
    ]
    let vm = ScriptedVM(storage: ["fresh": 40], txns: txns)
    let result = BlockSTM.execute(vm, count: 3, threads: threads)
    #expect(!vm.probe.didTimeOut, "the interleaving was not produced")
    #expect(result.outputs == [0, 1, 5])
    #expect(result.finalValues == ["k": 1, "fresh": 5])
    #expect(sameCommit(result, BlockSTM.executeSequentially(vm, count: 3)))
  }
}
