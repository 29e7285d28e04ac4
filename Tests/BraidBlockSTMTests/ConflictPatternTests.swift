/// The shapes of contention a real block has: a chain where each transaction needs the one
/// before, a hot key everyone overwrites, and a hot key everyone credits (the coinbase).
import BraidBlockSTM
import Testing

@Suite struct ConflictPatterns {
  static let workerCounts = [1, 2, 3, 4, 8, 16]

  /// Each transaction reads the counter and writes it back plus one: no two transactions can
  /// run in parallel, and the result must still be 0, 1, 2, ...
  @Test(arguments: workerCounts) func fullyDependentChain(threads: Int) {
    let n = 60
    let increment: ScriptedVM.Body = { _, view, _ in
      guard let counter = view.read("counter") else { return .dependency }
      return .done(writes: [("counter", .value(counter + 1))], output: counter)
    }
    let vm = ScriptedVM(storage: ["counter": 0], txns: Array(repeating: increment, count: n))
    let result = BlockSTM.execute(vm, count: n, threads: threads)
    #expect(result.outputs == Array(0..<n))
    #expect(result.finalValues == ["counter": n])
    #expect(sameCommit(result, BlockSTM.executeSequentially(vm, count: n)))
  }

  /// Blind writes to one key: no reads, so nothing is ever invalid, and the last writer wins.
  @Test(arguments: workerCounts) func everyTransactionWritesOneKey(threads: Int) {
    let n = 50
    let write: ScriptedVM.Body = { txn, _, _ in .done(writes: [("hot", .value(txn * 10))], output: txn) }
    let vm = ScriptedVM(txns: Array(repeating: write, count: n))
    let result = BlockSTM.execute(vm, count: n, threads: threads)
    #expect(result.finalValues == ["hot": (n - 1) * 10])
    #expect(result.stats.validationFailures == 0)
    #expect(result.stats.reexecutions == 0)
    #expect(sameCommit(result, BlockSTM.executeSequentially(vm, count: n)))
  }

  /// Every transaction but the last credits the pool with a delta, without reading it; the
  /// last reads the pool. The credits never conflict (each runs exactly once), and the reader
  /// sees the storage value plus every credit.
  @Test(arguments: workerCounts) func deltasToOneKeyThenARead(threads: Int) {
    let n = 80
    let credit: ScriptedVM.Body = { txn, _, _ in .done(writes: [("pool", .delta(txn + 1))], output: 0) }
    let reader: ScriptedVM.Body = { _, view, _ in
      guard let pool = view.read("pool") else { return .dependency }
      return .done(writes: [], output: pool)
    }
    let vm = ScriptedVM(storage: ["pool": 1000], txns: Array(repeating: credit, count: n - 1) + [reader])
    let result = BlockSTM.execute(vm, count: n, threads: threads)
    let credits = (n - 1) * n / 2
    #expect(result.outputs.last == 1000 + credits)
    #expect(result.finalValues == ["pool": 1000 + credits])
    for txn in 0..<(n - 1) { #expect(vm.probe.callCount(txn) == 1, "credit \(txn) was re-executed") }
    #expect(sameCommit(result, BlockSTM.executeSequentially(vm, count: n)))
  }

  /// A full value in the middle of a run of deltas: readers above it fold only the deltas
  /// above the value, readers below it fold onto storage.
  @Test(arguments: [1, 2, 4]) func deltasFoldOntoTheNearestFullValue(threads: Int) {
    let read: ScriptedVM.Body = { _, view, _ in
      guard let v = view.read("k") else { return .dependency }
      return .done(writes: [], output: v)
    }
    let txns: [ScriptedVM.Body] = [
      { _, _, _ in .done(writes: [("k", .delta(1))], output: 0) },
      read,  // 5 + 1
      { _, _, _ in .done(writes: [("k", .value(100))], output: 0) },
      { _, _, _ in .done(writes: [("k", .delta(20))], output: 0) },
      read,  // 100 + 20
      { _, _, _ in .done(writes: [("k", .delta(300))], output: 0) },
      read,  // 100 + 20 + 300
    ]
    let vm = ScriptedVM(storage: ["k": 5], txns: txns)
    let result = BlockSTM.execute(vm, count: txns.count, threads: threads)
    #expect(result.outputs == [0, 6, 0, 0, 120, 0, 420])
    #expect(result.finalValues == ["k": 420])
    #expect(sameCommit(result, BlockSTM.executeSequentially(vm, count: txns.count)))
  }

  /// A delta onto a key nobody wrote as a full value folds onto the storage value, and the
  /// committed value says so.
  @Test func deltasOnlyCommitOntoStorage() {
    let txns: [ScriptedVM.Body] = (0..<10).map { _ in { _, _, _ in .done(writes: [("fees", .delta(7))], output: 0) } }
    let vm = ScriptedVM(storage: ["fees": 3], txns: txns)
    let result = BlockSTM.execute(vm, count: 10, threads: 2)
    #expect(result.finalValues == ["fees": 73])
    #expect(BlockSTM.executeSequentially(vm, count: 10).finalValues == ["fees": 73])
  }
}
