import BraidBlockSTM
import Testing

/// Write hints seed ESTIMATEs before anything runs. They must never change the result:
/// not when they are right, not when they name keys the transaction never writes, and not
/// when a conditional write makes them right only sometimes.
struct WriteHintTests {
  @Test(arguments: [1, 2, 4, 8])
  func hintedBlocksMatchSequential(threads: Int) {
    let shape = RandomBlockVM.Shape(
      keys: 6, txns: 5...60, maxReads: 3, maxWrites: 3, deltaChance: 0.3, conditionalChance: 0.5, maxSpin: 10)
    for seed in UInt64(0)..<150 {
      var vm = RandomBlockVM.random(shape, seed: 0x6000_0000 + seed)
      vm.hints = vm.txns.enumerated().map { i, txn in
        var keys = txn.writes.map(\.key)
        // A wrong hint on every third transaction: a key it may never write.
        if i % 3 == 0 { keys.append((i * 7) % shape.keys) }
        return Array(Set(keys))
      }
      let sequential = BlockSTM.executeSequentially(vm, count: vm.txns.count)
      let parallel = BlockSTM.execute(vm, count: vm.txns.count, threads: threads)
      #expect(parallel.outputs == sequential.outputs, "seed \(seed), \(threads) threads")
      #expect(parallel.finalValues == sequential.finalValues, "seed \(seed), \(threads) threads")
    }
  }
}
