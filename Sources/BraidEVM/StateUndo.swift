/// What a block changed in an `InMemoryState`, kept as the values from before it: with the
/// head state changed in place, the records of recent blocks are how their states are still
/// read (newest head, then back through each block's record) without a copy per block.
import BraidPrimitives

/// One account as it was before the block first changed it.
public struct AccountUndo: Sendable {
  /// Whether the account existed; when not, the fields below are zero and `storage` is nil.
  public var existed: Bool
  public var balance: UInt256
  public var nonce: UInt64
  public var code: Code
  /// Slots the block wrote, with their values before it (zero for an empty slot). The first
  /// write of each slot in the block records it; later ones keep that value.
  public var slots: [UInt256: UInt256]
  /// The whole storage before the block, once the block removed the account or wiped its
  /// storage (a contract created at the address); then `slots` is not consulted.
  public var storage: [UInt256: UInt256]?
}

extension AccountUndo {
  /// Records the storage `current` (the account now) has before a change: the slots about to
  /// be written that are not recorded yet, or, when the change wipes the storage, all of it
  /// as it was before the block. Only for an account that existed before the block, and only
  /// until its whole storage is kept.
  mutating func record(slots written: some Sequence<UInt256>, wipesStorage: Bool, current: AccountState?) {
    guard existed, storage == nil else { return }
    if wipesStorage {
      // The storage now, with the slots the block already wrote put back.
      var before = current?.storage ?? [:]
      for (slot, value) in slots { before[slot] = value.isZero ? nil : value }
      storage = before
      return
    }
    for slot in written where slots[slot] == nil { slots[slot] = current?.storage[slot] ?? .zero }
  }
}

/// Per account, the values before a block; filled while the block is applied.
public struct StateUndo: Sendable {
  public private(set) var accounts: [Address: AccountUndo] = [:]

  public init() {}

  public var isEmpty: Bool { accounts.isEmpty }

  /// Records what `address` holds in `state` before a change to it, unless the block changed
  /// it already: its fields, the current values of `slots` not recorded yet, and, when the
  /// change removes the account or wipes its storage, the storage as it was before the block.
  public mutating func willChange(
    _ address: Address, slots: some Sequence<UInt256>, wipesStorage: Bool, in state: InMemoryState
  ) {
    let current = state.accounts[address]
    // Through the dictionary's in-place accessor: a copy of the record held while its slots
    // grow would copy them on every write, quadratic in a busy contract's slots per block.
    accounts[
      address,
      default: AccountUndo(
        existed: current != nil, balance: current?.balance ?? .zero, nonce: current?.nonce ?? 0,
        code: current?.code ?? .empty, slots: [:], storage: nil)
    ].record(slots: slots, wipesStorage: wipesStorage, current: current)
  }

  /// `willChange` for every account a transaction's diff changes, before `state.apply(diff)`.
  public mutating func willApply(_ diff: StateDiff, to state: InMemoryState) {
    for (address, change) in diff.accounts {
      willChange(address, slots: change.storage.keys, wipesStorage: change.deleted || change.storageCleared, in: state)
    }
  }
}
