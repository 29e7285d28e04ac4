/// The world-state root of an `InMemoryState`: each account's storage trie root, then the
/// secure state trie over the account leaves (Yellow Paper, section 4.1).
import BraidEVM
import BraidPrimitives
import BraidTrie

extension InMemoryState {
  public func stateRoot() -> Hash32 {
    var leaves: [(address: Address, nonce: UInt64, balance: UInt256, storageRoot: Hash32, codeHash: Hash32)] = []
    leaves.reserveCapacity(accounts.count)
    for (address, account) in accounts {
      // A zero slot is an absent slot; `apply` already drops them, a hand-built state may not.
      let slots = account.storage.filter { !$0.value.isZero }.map { ($0.key, $0.value) }
      leaves.append(
        (address: address, nonce: account.nonce, balance: account.balance,
         storageRoot: StateTrie.storageRoot(slots), codeHash: account.code.hash))
    }
    return StateTrie.stateRoot(leaves)
  }
}
