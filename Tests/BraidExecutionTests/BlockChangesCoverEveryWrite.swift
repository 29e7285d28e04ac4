import BraidEVM
@testable import BraidExecution
import BraidPrimitives
import Testing

/// The incremental trie and the store rewrite only what `BlockResult.changes` names, so it
/// must name every account and slot whose value differs between the pre- and post-state,
/// for the sequential executor and for Block-STM alike.
struct BlockChangesCoverEveryWrite {
  static func uncovered(pre: InMemoryState, post: InMemoryState, changes: BlockChanges) -> [String] {
    var missing: [String] = []
    for address in Set(pre.accounts.keys).union(post.accounts.keys) {
      let before = pre.accounts[address]
      let after = post.accounts[address]
      let slots = Set(before?.storage.keys.map { $0 } ?? []).union(after?.storage.keys.map { $0 } ?? [])
      let accountChanged =
        (before == nil) != (after == nil) || before?.balance != after?.balance || before?.nonce != after?.nonce
        || before?.code.hash != after?.code.hash
      let changedSlots = slots.filter { before?.storage[$0] != after?.storage[$0] }
      guard accountChanged || !changedSlots.isEmpty else { continue }
      guard let written = changes.accounts[address] else {
        missing.append("account \(address)")
        continue
      }
      // A removed account's storage goes with it: its slots need not be listed.
      if after == nil { continue }
      for slot in changedSlots where !written.contains(slot) { missing.append("slot \(address) \(slot)") }
    }
    return missing
  }

  @Test(arguments: 0..<40)
  func changesCoverTheDiff(seed: Int) {
    let block = RandomBlock(seed: UInt64(seed) &* 104_729 &+ 3)
    for threads in [0, 1, 2, 4] {
      var state = block.pre
      let r = BlockExecutor.execute(
        block.transactions, block: block.env, state: &state, threads: threads)
      let missing = Self.uncovered(pre: block.pre, post: state, changes: r.changes)
      #expect(missing.isEmpty, "seed \(seed), \(threads) threads: \(missing.prefix(5))")
      #expect(!r.changes.accounts.isEmpty)
    }
  }
}
