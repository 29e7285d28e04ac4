@testable import BraidBlockSTM
import Synchronization
import Testing

/// A caller may take a large block's scratch memory back and release it later (after its
/// state root). The result must not depend on it, the scratch must come back only when
/// asked for and only for large blocks, and releasing it twice, or dropping it unreleased,
/// must be harmless.
struct DeferredScratchReleaseTests {
  static let shape = RandomBlockVM.Shape(
    keys: 64, txns: 300...400, maxReads: 3, maxWrites: 3, deltaChance: 0.3, conditionalChance: 0.2, maxSpin: 5)

  @Test(arguments: [1, 2, 4])
  func deferredScratchLeavesTheResultAlone(threads: Int) {
    for seed in UInt64(0)..<10 {
      let vm = RandomBlockVM.random(Self.shape, seed: 0x5c7a_0000 + seed)
      let sequential = BlockSTM.executeSequentially(vm, count: vm.txns.count)
      let deferred = BlockSTM.execute(
        vm, count: vm.txns.count, threads: threads, options: BlockSTMOptions(deferScratchRelease: true))
      #expect(deferred.scratch != nil, "a block of \(vm.txns.count) hands its scratch back")
      #expect(deferred.finalValues == sequential.finalValues)
      #expect(deferred.outputs == sequential.outputs)
      deferred.scratch?.releaseInBackground()
      deferred.scratch?.releaseInBackground()
      let immediate = BlockSTM.execute(vm, count: vm.txns.count, threads: threads)
      #expect(immediate.scratch == nil)
      #expect(immediate.finalValues == sequential.finalValues)
    }
  }

  @Test func smallBlocksFreeTheirScratchAtOnce() {
    let small = RandomBlockVM.Shape(
      keys: 8, txns: 10...50, maxReads: 2, maxWrites: 2, deltaChance: 0.3, conditionalChance: 0.2, maxSpin: 5)
    let vm = RandomBlockVM.random(small, seed: 7)
    let result = BlockSTM.execute(vm, count: vm.txns.count, threads: 2, options: BlockSTMOptions(deferScratchRelease: true))
    #expect(result.scratch == nil)
  }

  @Test func droppedUnreleasedScratchIsFreed() {
    let vm = RandomBlockVM.random(Self.shape, seed: 11)
    // Dropped at the end of the closure without a release: freed on this thread.
    let outputs = {
      BlockSTM.execute(vm, count: vm.txns.count, threads: 2, options: BlockSTMOptions(deferScratchRelease: true)).outputs
    }()
    #expect(outputs.count == vm.txns.count)
  }
}

/// `BlockSTMScratch.keep` hands a value over to be destroyed with the scratch: not before,
/// whoever else lets go of it, and at once when the scratch was already released.
struct ScratchKeepsWhatItIsGiven {
  final class Flag: Sendable {
    let died = Atomic(false)
    var isSet: Bool { died.load(ordering: .sequentiallyConsistent) }
  }

  final class Canary: Sendable {
    let flag: Flag
    init(_ flag: Flag) { self.flag = flag }
    deinit { flag.died.store(true, ordering: .sequentiallyConsistent) }
  }

  static func scratch() -> BlockSTMScratch {
    let vm = RandomBlockVM.random(DeferredScratchReleaseTests.shape, seed: 0x6ee9)
    let result = BlockSTM.execute(
      vm, count: vm.txns.count, threads: 2, options: BlockSTMOptions(deferScratchRelease: true))
    return result.scratch!
  }

  @Test func keptValueLivesUntilTheScratchGoes() {
    let flag = Flag()
    var scratch: BlockSTMScratch? = Self.scratch()
    do {
      let canary = Canary(flag)
      scratch!.keep(canary)
    }
    #expect(!flag.isSet, "destroyed while the scratch still held it")
    // Dropped unreleased, the scratch is freed on this thread, with what it kept.
    scratch = nil
    #expect(flag.isSet)
  }

  @Test func keptAfterReleaseIsDroppedAtOnce() {
    let flag = Flag()
    let scratch = Self.scratch()
    _ = scratch.reclaim.withLock { r in r.take() }?()
    do {
      let canary = Canary(flag)
      scratch.keep(canary)
    }
    #expect(flag.isSet)
  }
}
