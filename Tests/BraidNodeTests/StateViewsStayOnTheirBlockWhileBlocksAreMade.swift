/// Readers on other threads hold views of the head while the producer changes the one head
/// state in place for the next block: every read of a view must give the state after the
/// view's block, never a value half way into a later one. Checked by nonces and a balance
/// that the blocks' contents determine, with the sequential executor and with Block-STM.
import BraidEVM
import BraidPrimitives
import Dispatch
import Foundation
import Synchronization
import Testing

@testable import BraidNode

struct StateViewsStayOnTheirBlockWhileBlocksAreMade {
  struct Sample {
    let block: UInt64
    let nonces: [UInt64]
    let recipientBalance: UInt256
  }

  @Test(arguments: [0, 2])
  func readsOfAViewMatchItsBlock(threads: Int) throws {
    let senders = 8
    let perSender = 12
    let node = SequencerBlocksMatchSequentialReplay.node(senders: senders, maxTransactions: 5, threads: threads)
    var values: [Hash32: UInt256] = [:]
    for n in 0..<perSender {
      for s in 0..<senders {
        let value = UInt256(UInt64(1000 + 7 * s + n))
        let signed = try node.mempool.add(raw: Fixture.transfer(from: s, nonce: UInt64(n), value: value)).get()
        values[signed.hash] = value
      }
    }
    let addresses = (0..<senders).map { Fixture.address($0) }
    let done = Atomic<Bool>(false)
    let samples = Mutex<[Sample]>([])
    let finished = DispatchSemaphore(value: 0)
    // Threads of their own: readers spinning on the global queue's few threads would starve
    // the producer, which hands the transactions root to that queue.
    for _ in 0..<2 {
      Thread.detachNewThread {
        while !done.load(ordering: .acquiring) {
          let block = node.headNumber()
          guard let view = node.state(atBlock: block) else { continue }
          var nonces: [UInt64] = []
          // One read at a time, so that blocks land between the reads of one sample.
          for a in addresses { nonces.append(view.nonce(of: a)) }
          let balance = view.balance(of: Fixture.recipient)
          samples.withLock { $0.append(Sample(block: block, nonces: nonces, recipientBalance: balance)) }
        }
        finished.signal()
      }
    }
    while node.sequencer.produceBlock()?.block != nil {}
    done.store(true, ordering: .releasing)
    finished.wait()
    finished.wait()
    #expect(node.mempool.count == 0)

    // What each block's state must hold: nonces and the recipient's balance so far.
    var nonces = [UInt64](repeating: 0, count: senders)
    var balance = UInt256.zero
    var expected: [(nonces: [UInt64], balance: UInt256)] = [(nonces, balance)]
    for number in 1...node.headNumber() {
      for hash in try #require(node.block(number: number)).transactionHashes {
        let tx = try #require(node.transaction(hash: hash)).signed.transaction
        let s = try #require(addresses.firstIndex(of: tx.sender))
        nonces[s] += 1
        balance = balance &+ values[hash]!
      }
      expected.append((nonces, balance))
    }
    let taken = samples.withLock { $0 }
    #expect(taken.count > 0)
    #expect(Set(taken.map(\.block)).count > 1, "readers saw only one block")
    let wrong = taken.filter { sample in
      let want = expected[Int(sample.block)]
      return sample.nonces != want.nonces || sample.recipientBalance != want.balance
    }
    #expect(wrong.isEmpty, "\(wrong.count) of \(taken.count) samples wrong, first: \(String(describing: wrong.first))")
  }
}
