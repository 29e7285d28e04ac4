/// `StateRootTracker.proof(of:slots:)` after blocks: each account's node list proves, under
/// the tracker's root, the account's nonce, balance, storage root and code hash (or its
/// absence), and each slot's node list proves the slot's value (or zero) under that storage
/// root. Checked with `TrieProof.verify`.
import BraidEVM
import BraidExecution
import BraidPrimitives
import BraidTrie
import Testing

private func checkProofs(_ tracker: StateRootTracker, _ state: InMemoryState, absent: [Address]) throws {
  for address in Array(state.accounts.keys) + absent {
    let account = state.accounts[address]
    let slots = Array((account?.storage ?? [:]).keys.prefix(8)) + [UInt256(0xdead_beef)]
    let proof = try #require(tracker.proof(of: address, slots: slots))
    let leaf = try TrieProof.verify(root: tracker.root, key: Keccak256.hash(address.bytes), proof: proof.account)
    guard let account else {
      #expect(leaf == nil, "\(address) is absent but proven present")
      continue
    }
    let fields = try RLP.decode(try #require(leaf)).asList()
    #expect(try fields[0].asUInt64() == account.nonce)
    #expect(try fields[1].asUInt256() == account.balance)
    #expect(try fields[2].asHash32() == proof.storageRoot)
    #expect(try fields[3].asHash32() == account.code.hash)
    for (slot, slotProof) in zip(slots, proof.slots) {
      let value = try TrieProof.verify(root: proof.storageRoot, key: Keccak256.hash(word: slot), proof: slotProof)
      let stored = account.storage[slot] ?? .zero
      #expect(try value.map { try RLP.decode($0).asUInt256() } == (stored.isZero ? nil : stored), "\(address) slot \(slot)")
    }
  }
}

@Test(arguments: 0..<4)
func stateProofsVerifyAfterEachBlock(seed: Int) throws {
  let first = RandomBlock(seed: UInt64(seed) &* 977 &+ 3)
  var state = first.pre
  var tracker = StateRootTracker(state: state)
  let absent = (1...5).map { Address(hi: 0xabad_1dea, mid: UInt64($0), lo: 7) }
  try checkProofs(tracker, state, absent: absent)
  let result = BlockExecutor.execute(first.transactions, block: first.env, state: &state, threads: 2)
  let root = tracker.update(with: result.changes, state: state, workers: 2)
  #expect(root == state.stateRoot())
  try checkProofs(tracker, state, absent: absent)
}

@Test func proofOfAnAccountWithoutStorage() throws {
  let a = Address(hi: 1, mid: 2, lo: 3)
  let state = InMemoryState(accounts: [a: AccountState(balance: UInt256(5))])
  let tracker = StateRootTracker(state: state)
  let proof = try #require(tracker.proof(of: a, slots: [UInt256(1)]))
  #expect(proof.storageRoot == .emptyTrie)
  #expect(proof.slots == [[]])
  #expect(try TrieProof.verify(root: .emptyTrie, key: Keccak256.hash(word: UInt256(1)), proof: []) == nil)
  // A one-account trie: the root node alone.
  #expect(proof.account.count == 1)
  #expect(Keccak256.hash(proof.account[0]) == tracker.root)
}
