/// The journaled world view of one transaction: a cache over the `StateReader`, the
/// warm/cold sets of EIP-2929, transient storage, logs and the refund counter, all
/// revertible to a snapshot when a call frame fails.
import BraidPrimitives

struct SlotKey: Hashable {
  var address: Address
  var slot: UInt256
}

struct StorageSlot {
  /// Value at the start of the transaction (EIP-2200's "original value").
  var original: UInt256
  var current: UInt256
  var warm: Bool
}

struct CachedAccount {
  var balance: UInt256
  var nonce: UInt64
  var code: Code
  var warm = false
  /// EIP-161: touched accounts that end the transaction empty are removed.
  var touched = false
  /// Created by a CREATE/CREATE2 (or a create transaction) in this transaction.
  var created = false
  var selfDestructed = false
  var hadStorage: Bool?

  var isEmpty: Bool { balance.isZero && nonce == 0 && code.isEmpty }
}

enum JournalEntry {
  case balance(Int, UInt256)
  case nonce(Int, UInt64)
  case code(Int, Code)
  case storage(SlotKey, UInt256)
  case transient(SlotKey, UInt256)
  case warmAccount(Int)
  case warmSlot(SlotKey)
  case touched(Int)
  case created(Int)
  case selfDestructed(Int)
  case refund(Int)
}

/// Journaled state for one transaction. A class because every frame of the transaction
/// shares it; it lives on one thread for the duration of `EVM.execute`.
final class Host<S: StateReader> {
  let state: S
  let block: BlockEnv
  let origin: Address
  let gasPrice: UInt256
  let blobHashes: [Hash32]

  var accounts: [CachedAccount] = []
  var accountIndex: [Address: Int] = [:]
  var storage: [SlotKey: StorageSlot] = [:]
  var transient: [SlotKey: UInt256] = [:]
  var journal: [JournalEntry] = []
  var logs: [Log] = []
  var refund = 0

  init(state: S, block: BlockEnv, origin: Address, gasPrice: UInt256, blobHashes: [Hash32]) {
    self.state = state
    self.block = block
    self.origin = origin
    self.gasPrice = gasPrice
    self.blobHashes = blobHashes
    journal.reserveCapacity(64)
  }

  // MARK: accounts

  @inline(__always) func index(_ a: Address) -> Int {
    if let i = accountIndex[a] { return i }
    return load(a)
  }

  private func load(_ a: Address) -> Int {
    let i = accounts.count
    accounts.append(CachedAccount(balance: state.balance(of: a), nonce: state.nonce(of: a), code: state.code(of: a)))
    accountIndex[a] = i
    return i
  }

  @inline(__always) func balance(_ a: Address) -> UInt256 { accounts[index(a)].balance }
  @inline(__always) func nonce(_ a: Address) -> UInt64 { accounts[index(a)].nonce }
  @inline(__always) func code(_ a: Address) -> Code { accounts[index(a)].code }

  /// Marks the account warm; returns true when it was cold (EIP-2929).
  @inline(__always) func warmAccount(_ a: Address) -> Bool {
    let i = index(a)
    if accounts[i].warm { return false }
    accounts[i].warm = true
    journal.append(.warmAccount(i))
    return true
  }

  func touch(_ i: Int) {
    if accounts[i].touched { return }
    accounts[i].touched = true
    journal.append(.touched(i))
  }

  func setBalance(_ i: Int, _ v: UInt256) {
    journal.append(.balance(i, accounts[i].balance))
    accounts[i].balance = v
    touch(i)
  }

  func addBalance(_ a: Address, _ v: UInt256) {
    let i = index(a)
    setBalance(i, accounts[i].balance &+ v)
  }

  func setNonce(_ i: Int, _ n: UInt64) {
    journal.append(.nonce(i, accounts[i].nonce))
    accounts[i].nonce = n
    touch(i)
  }

  func setCode(_ i: Int, _ c: Code) {
    journal.append(.code(i, accounts[i].code))
    accounts[i].code = c
  }

  func markCreated(_ i: Int) {
    journal.append(.created(i))
    accounts[i].created = true
  }

  /// Moves value; false (and nothing changed) when the sender's balance is short.
  func transfer(from: Address, to: Address, value: UInt256) -> Bool {
    let fi = index(from)
    let ti = index(to)
    if value.isZero {
      touch(ti)
      return true
    }
    let fb = accounts[fi].balance
    if fb < value { return false }
    setBalance(fi, fb &- value)
    setBalance(ti, accounts[ti].balance &+ value)
    return true
  }

  func hasStorage(_ i: Int, _ a: Address) -> Bool {
    if let h = accounts[i].hadStorage { return h }
    let h = state.hasStorage(a)
    accounts[i].hadStorage = h
    return h
  }

  // MARK: storage

  @inline(__always) private func slot(_ key: SlotKey) -> StorageSlot {
    if let s = storage[key] { return s }
    let v = state.storage(of: key.address, slot: key.slot)
    let s = StorageSlot(original: v, current: v, warm: false)
    storage[key] = s
    return s
  }

  /// SLOAD: the value and whether the slot was cold.
  func sload(_ a: Address, _ k: UInt256) -> (UInt256, Bool) {
    let key = SlotKey(address: a, slot: k)
    let s = slot(key)
    if !s.warm {
      storage[key]!.warm = true
      journal.append(.warmSlot(key))
      return (s.current, true)
    }
    return (s.current, false)
  }

  /// Warms a slot without reading the value for gas purposes (access lists).
  func warmSlot(_ a: Address, _ k: UInt256) {
    let key = SlotKey(address: a, slot: k)
    let s = slot(key)
    if !s.warm {
      storage[key]!.warm = true
      journal.append(.warmSlot(key))
    }
  }

  /// SSTORE per EIP-2200 with EIP-2929 costs and EIP-3529 refunds. Returns the gas cost;
  /// adjusts the refund counter. The caller has checked the 2300-gas sentry.
  func sstore(_ a: Address, _ k: UInt256, _ new: UInt256) -> Int {
    let key = SlotKey(address: a, slot: k)
    let s = slot(key)
    var cost = 0
    if !s.warm {
      cost += Gas.coldSload
      storage[key]!.warm = true
      journal.append(.warmSlot(key))
    }
    let original = s.original, current = s.current
    if current == new { return cost + Gas.warmAccess }
    journal.append(.storage(key, current))
    storage[key]!.current = new
    if original == current {
      if original.isZero { return cost + Gas.sstoreSet }
      if new.isZero { addRefund(Gas.sstoreClearsRefund) }
      return cost + Gas.sstoreReset
    }
    if !original.isZero {
      if current.isZero { addRefund(-Gas.sstoreClearsRefund) }
      if new.isZero { addRefund(Gas.sstoreClearsRefund) }
    }
    if original == new {
      addRefund(original.isZero ? Gas.sstoreSet - Gas.warmAccess : Gas.sstoreReset - Gas.warmAccess)
    }
    return cost + Gas.warmAccess
  }

  func addRefund(_ d: Int) {
    journal.append(.refund(refund))
    refund += d
  }

  func tload(_ a: Address, _ k: UInt256) -> UInt256 { transient[SlotKey(address: a, slot: k)] ?? .zero }

  func tstore(_ a: Address, _ k: UInt256, _ v: UInt256) {
    let key = SlotKey(address: a, slot: k)
    journal.append(.transient(key, transient[key] ?? .zero))
    transient[key] = v
  }

  // MARK: snapshots

  struct Snapshot {
    var journal: Int
    var logs: Int
  }

  @inline(__always) func snapshot() -> Snapshot { Snapshot(journal: journal.count, logs: logs.count) }

  func revert(to s: Snapshot) {
    while journal.count > s.journal {
      switch journal.removeLast() {
      case .balance(let i, let v): accounts[i].balance = v
      case .nonce(let i, let v): accounts[i].nonce = v
      case .code(let i, let c): accounts[i].code = c
      case .storage(let k, let v): storage[k]!.current = v
      case .transient(let k, let v): transient[k] = v
      case .warmAccount(let i): accounts[i].warm = false
      case .warmSlot(let k): storage[k]!.warm = false
      case .touched(let i):
        // go-ethereum keeps the touch of RIPEMD-160 (0x03) across a revert: a historical
        // mainnet quirk that the consensus tests encode.
        if isRipemd(i) { continue }
        accounts[i].touched = false
      case .created(let i): accounts[i].created = false
      case .selfDestructed(let i): accounts[i].selfDestructed = false
      case .refund(let r): refund = r
      }
    }
    if logs.count > s.logs { logs.removeSubrange(s.logs...) }
  }

  private func isRipemd(_ i: Int) -> Bool {
    if let r = accountIndex[Precompiles.ripemdAddress] { return r == i }
    return false
  }

  // MARK: self-destruct

  /// SELFDESTRUCT per EIP-6780: the balance always moves to the beneficiary; the account
  /// is removed only if it was created in this same transaction.
  func selfDestruct(_ a: Address, beneficiary: Address) {
    let i = index(a)
    let bi = index(beneficiary)
    let bal = accounts[i].balance
    if accounts[i].created {
      setBalance(i, .zero)
      if bi != i { setBalance(bi, accounts[bi].balance &+ bal) }
      if !accounts[i].selfDestructed {
        journal.append(.selfDestructed(i))
        accounts[i].selfDestructed = true
      }
    } else if bi != i {
      setBalance(i, .zero)
      setBalance(bi, accounts[bi].balance &+ bal)
    } else {
      touch(i)
    }
  }

  // MARK: result

  /// Builds the transaction's diff: final values of touched accounts and written slots,
  /// with self-destructed and touched-empty accounts removed (EIP-6780, EIP-161).
  func buildDiff() -> StateDiff {
    var changes: [Address: AccountChange] = [:]
    changes.reserveCapacity(accounts.count)
    var dirtyStorage: [Address: [UInt256: UInt256]] = [:]
    for (key, s) in storage where s.current != s.original {
      dirtyStorage[key.address, default: [:]][key.slot] = s.current
    }
    for (address, i) in accountIndex {
      let acc = accounts[i]
      let dirty = dirtyStorage[address]
      guard acc.touched || acc.selfDestructed || acc.created || dirty != nil else { continue }
      var ch = AccountChange()
      if acc.selfDestructed || (acc.touched && acc.isEmpty) {
        ch.deleted = true
        changes[address] = ch
        continue
      }
      ch.balance = acc.balance
      ch.nonce = acc.nonce
      if acc.created {
        ch.code = acc.code
        ch.storageCleared = true
      }
      if let d = dirty { ch.storage = d }
      changes[address] = ch
    }
    return StateDiff(accounts: changes)
  }
}
