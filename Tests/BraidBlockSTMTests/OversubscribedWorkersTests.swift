/// More workers than cores: workers are preempted in the middle of a task, while holding
/// active-task counts, between a status change and the index update that follows it. The
/// scheduler's correctness must not depend on workers running at the same pace.
import BraidBlockSTM
import Testing

@Suite struct OversubscribedWorkers {
  @Test func sixteenWorkersMatchSequential() {
    let shapes = [
      RandomBlockVM.Shape(
        keys: 4, txns: 16...80, maxReads: 3, maxWrites: 2, deltaChance: 0.3, conditionalChance: 0.3, maxSpin: 20),
      RandomBlockVM.Shape(
        keys: 200, txns: 16...80, maxReads: 4, maxWrites: 3, deltaChance: 0.3, conditionalChance: 0.3,
        maxSpin: 20),
    ]
    for (s, shape) in shapes.enumerated() {
      for b in 0..<100 {
        let seed = 0x6000_0000 &+ UInt64(s * 1000 + b)
        let vm = RandomBlockVM.random(shape, seed: seed)
        let expected = BlockSTM.executeSequentially(vm, count: vm.txns.count)
        let actual = BlockSTM.execute(vm, count: vm.txns.count, threads: 16)
        #expect(sameCommit(actual, expected), "block seed \(seed) (\(shape)) with 16 threads differs")
      }
    }
  }
}
