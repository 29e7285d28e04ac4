/// Turning a block's execution into the one change per account that `commitBlock` writes.
///
/// A `StateDiff` here means the net effect of a whole block: for each account either
/// `deleted` (gone, with its storage), or fields to set on whatever is stored, with
/// `storageCleared` wiping the stored slots first. Two ways to get one: merge the
/// per-transaction diffs in block order, or compare the pre- and post-state of a block
/// executed in memory.
import BraidEVM
import BraidPrimitives

extension StateDiff {
  /// The diffs of a block's transactions, in order, folded into one.
  public static func merging(_ diffs: [StateDiff]) -> StateDiff {
    var out = StateDiff()
    for diff in diffs { out.merge(diff) }
    return out
  }

  /// Folds a later diff into this one, so that applying the result equals applying both.
  public mutating func merge(_ later: StateDiff) {
    for (address, change) in later.accounts {
      if let earlier = accounts[address] {
        accounts[address] = Self.combine(earlier, change)
      } else {
        accounts[address] = change
      }
    }
  }

  private static func combine(_ earlier: AccountChange, _ later: AccountChange) -> AccountChange {
    if later.deleted { return later }
    var m = earlier
    if m.deleted {
      // Recreated after removal: nothing of the stored account survives, so every field
      // the later change leaves unset is zero, not "unchanged".
      m = AccountChange()
      m.storageCleared = true
      m.balance = later.balance ?? later.balanceDelta ?? .zero
      m.nonce = later.nonce ?? 0
      m.code = later.code ?? .empty
      m.storage = later.storage
      return m
    }
    if later.storageCleared {
      m.storage = [:]
      m.storageCleared = true
    }
    if let b = later.balance {
      m.balance = b
      m.balanceDelta = nil
    } else if let d = later.balanceDelta {
      if let b = m.balance { m.balance = b &+ d } else { m.balanceDelta = (m.balanceDelta ?? .zero) &+ d }
    }
    if let n = later.nonce { m.nonce = n }
    if let c = later.code { m.code = c }
    for (slot, value) in later.storage { m.storage[slot] = value }
    return m
  }

  /// What turns `pre` into `post`: removed accounts are deleted, every other differing
  /// account lists only the fields and slots that differ. Costs a pass over both states;
  /// meant for a node that executes a block in memory and keeps the pre-state.
  public init(from pre: InMemoryState, to post: InMemoryState) {
    self.init()
    for (address, _) in pre.accounts where post.accounts[address] == nil {
      var change = AccountChange()
      change.deleted = true
      accounts[address] = change
    }
    for (address, after) in post.accounts {
      guard let before = pre.accounts[address] else {
        var change = AccountChange()
        change.balance = after.balance
        change.nonce = after.nonce
        change.code = after.code
        change.storage = after.storage.filter { !$0.value.isZero }
        accounts[address] = change
        continue
      }
      var change = AccountChange()
      var changed = false
      if before.balance != after.balance { change.balance = after.balance; changed = true }
      if before.nonce != after.nonce { change.nonce = after.nonce; changed = true }
      if before.code.hash != after.code.hash { change.code = after.code; changed = true }
      for (slot, value) in after.storage where before.storage[slot] ?? .zero != value {
        change.storage[slot] = value
        changed = true
      }
      for (slot, _) in before.storage where after.storage[slot] == nil {
        change.storage[slot] = .zero
        changed = true
      }
      if changed { accounts[address] = change }
    }
  }

  /// The change set of a block executed in memory, from what it wrote (`written`: every
  /// account and slot whose value may differ, as `BlockResult.changes` lists them) and the
  /// state after it. Costs a pass over the written keys only, not over the state. An
  /// account written but absent from `post` was removed, with its storage; any other
  /// written account is stored whole (balance, nonce, code) with its written slots, a
  /// slot now zero being deleted.
  public init(written: [Address: Set<UInt256>], post: InMemoryState) {
    self.init()
    accounts.reserveCapacity(written.count)
    for (address, slots) in written {
      var change = AccountChange()
      guard let account = post.accounts[address] else {
        change.deleted = true
        accounts[address] = change
        continue
      }
      change.balance = account.balance
      change.nonce = account.nonce
      change.code = account.code
      change.storage.reserveCapacity(slots.count)
      for slot in slots { change.storage[slot] = account.storage[slot] ?? .zero }
      accounts[address] = change
    }
  }

  /// How many storage slots the change set writes (for sizing and metrics).
  public var slotCount: Int { accounts.values.reduce(0) { $0 + ($1.deleted ? 0 : $1.storage.count) } }
}
