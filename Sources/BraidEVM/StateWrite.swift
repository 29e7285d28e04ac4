/// A transaction's changes field by field, for an executor that versions every field on its
/// own (Block-STM): the same content as `StateDiff`, built straight from the host's caches
/// into one flat array instead of per-account dictionaries that the executor would take
/// apart again.
import BraidPrimitives

public enum StateWrite: Sendable {
  case balance(Address, UInt256)
  /// A credit to a balance the transaction never read (see `AccountChange.balanceDelta`).
  case balanceDelta(Address, UInt256)
  case nonce(Address, UInt64)
  /// New code: a contract created at the address.
  case code(Address, Code)
  case storage(Address, slot: UInt256, value: UInt256)
  /// The account was removed (`AccountChange.deleted`): its balance, nonce and code are
  /// gone. The slots it had written follow as `.storage` writes of zero.
  case deleted(Address)
}

extension Host {
  /// `buildDiff`, flattened: the same accounts, fields and slots, decided by the same rules.
  func buildWrites() -> [StateWrite] {
    var writes: [StateWrite] = []
    writes.reserveCapacity(2 * accounts.count + storage.count)
    // Per account: whether it has a dirty slot, then its fate (0 unchanged, 1 removed, 2 kept).
    // On the stack: a heap array here was an allocation per transaction.
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: accounts.count) { fate in
      fate.initialize(repeating: 0)
      buildWrites(into: &writes, fate: fate)
      return writes
    }
  }

  private func buildWrites(into writes: inout [StateWrite], fate: UnsafeMutableBufferPointer<UInt8>) {
    for (key, s) in storage where s.current != s.original {
      if let i = existingIndex(key.address) { fate[i] = 1 }
    }
    for i in accounts.indices {
      // Field by field, not `let acc = accounts[i]`: a copy of the account retains and
      // releases its code, most often the one empty code every account without code shares,
      // whose reference count every Block-STM worker then passes back and forth.
      let address = accounts[i].address
      let touched = accounts[i].touched
      let created = accounts[i].created
      let hasDirty = fate[i] != 0
      let nonceChanged = accounts[i].nonceLoaded && accounts[i].nonce != accounts[i].originalNonce
      let offset = accounts[i].balanceOffset
      let balanceChanged = !offset.isZero
      fate[i] = 0
      guard touched || created || hasDirty || nonceChanged || balanceChanged else { continue }
      if accounts[i].selfDestructed || (touched && isEmpty(i)) {
        fate[i] = 1
        writes.append(.deleted(address))
        continue
      }
      fate[i] = 2
      if balanceChanged {
        if let base = accounts[i].baseBalance {
          writes.append(.balance(address, base &+ offset))
        } else {
          writes.append(.balanceDelta(address, offset))
        }
      }
      if nonceChanged { writes.append(.nonce(address, accounts[i].nonce)) }
      if created { writes.append(.code(address, accounts[i].loadedCode ?? .empty)) }
    }
    if storage.isEmpty { return }
    for (key, s) in storage where s.current != s.original {
      // A slot of an account the host never indexed is kept, as in buildDiff.
      let removed = existingIndex(key.address).map { fate[$0] == 1 } ?? false
      writes.append(.storage(key.address, slot: key.slot, value: removed ? .zero : s.current))
    }
  }
}
