/// The journaled world view of one transaction: a cache over the `StateReader`, the
/// warm/cold sets of EIP-2929, transient storage, logs and the refund counter, all
/// revertible to a snapshot when a call frame fails.
import BraidPrimitives

struct SlotKey: Hashable {
  var address: Address
  var slot: UInt256

  func hash(into hasher: inout Hasher) { hasher.combine(address.mixed ^ slot.mixed.rotateLeft(29)) }
  /// The same word, finished without SipHash (see `HashMixing`): the host's slot tables are
  /// probed on every SLOAD and SSTORE.
  func _rawHashValue(seed: Int) -> Int { HashMixing.finish(address.mixed ^ slot.mixed.rotateLeft(29), seed: seed) }
}

struct StorageSlot {
  /// Value at the start of the transaction (EIP-2200's "original value").
  var original: UInt256
  var current: UInt256
  var warm: Bool
}

/// One account as the transaction sees it. Each field is read from the `StateReader` only
/// when something needs it, so that a parallel executor records exactly the reads that
/// happened: a payment to an account does not read its nonce, and a credit to a balance the
/// transaction never looks at stays a commutative delta (`balanceOffset` with no base).
struct CachedAccount {
  let address: Address
  /// The pre-transaction balance, once read. The current balance is base &+ offset.
  var baseBalance: UInt256? = nil
  /// current − base, modulo 2^256; while `baseBalance` is nil it is the sum of credits.
  var balanceOffset: UInt256 = .zero
  var nonceLoaded = false
  var originalNonce: UInt64 = 0
  var nonce: UInt64 = 0
  var loadedCode: Code? = nil
  var warm = false
  /// EIP-161: touched accounts that end the transaction empty are removed.
  var touched = false
  /// Created by a CREATE/CREATE2 (or a create transaction) in this transaction.
  var created = false
  var selfDestructed = false
  var hadStorage: Bool? = nil

  init(address: Address) { self.address = address }
}

/// Every payload is plain data, so a transaction's journal is freed without visiting its
/// entries (a `Code` in one case made every entry of every journal need its own destroy,
/// about 4% of a plain transfer's instructions); replaced code waits in `Host.replacedCodes`.
enum JournalEntry {
  /// The previous balance offset.
  case balance(Int, UInt256)
  case nonce(Int, UInt64)
  /// The account's previous code is the last of `Host.replacedCodes`.
  case code(Int)
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
  /// Set once the transaction is validated.
  var gasPrice: UInt256 = .zero
  let blobHashes: [Hash32]

  var accounts: [CachedAccount] = []
  /// Positions in `accounts`, kept only once there are more than `linearLimit` accounts:
  /// most transactions touch a handful (sender, recipient, coinbase, a contract or two),
  /// where comparing addresses one by one beats hashing, and a dictionary's first inserts
  /// cost an allocation and a rehash each.
  var accountIndex: [Address: Int] = [:]
  static var linearLimit: Int { 8 }
  var storage: [SlotKey: StorageSlot] = [:]
  var transient: [SlotKey: UInt256] = [:]
  var journal: [JournalEntry] = []
  /// The code each `.code` journal entry replaced, in journal order.
  var replacedCodes: [Code] = []
  var logs: [Log] = []
  var refund = 0

  init(state: S, block: BlockEnv, origin: Address, blobHashes: [Hash32]) {
    self.state = state
    self.block = block
    self.origin = origin
    self.blobHashes = blobHashes
    // The previous transaction's containers on this thread, emptied, with their capacity.
    let spares = HostSpares.current
    swap(&accounts, &spares.accounts)
    swap(&storage, &spares.storage)
    swap(&journal, &spares.journal)
    if journal.capacity < 16 { journal.reserveCapacity(16) }
    if accounts.capacity < 4 { accounts.reserveCapacity(4) }
  }

  deinit {
    let spares = HostSpares.current
    let limit = HostSpares.keepLimit
    if accounts.capacity <= limit {
      accounts.removeAll(keepingCapacity: true)
      swap(&accounts, &spares.accounts)
    }
    if storage.capacity <= limit {
      storage.removeAll(keepingCapacity: true)
      swap(&storage, &spares.storage)
    }
    if journal.capacity <= limit {
      journal.removeAll(keepingCapacity: true)
      swap(&journal, &spares.journal)
    }
  }

  // MARK: accounts

  @inline(__always) func index(_ a: Address) -> Int {
    if let i = existingIndex(a) { return i }
    let i = accounts.count
    accounts.append(CachedAccount(address: a))
    if i == Self.linearLimit {
      accountIndex.reserveCapacity(4 * Self.linearLimit)
      for j in accounts.indices { accountIndex[accounts[j].address] = j }
    } else if i > Self.linearLimit {
      accountIndex[a] = i
    }
    return i
  }

  /// The position of `a` in `accounts`, if the transaction has touched it.
  @inline(__always) func existingIndex(_ a: Address) -> Int? {
    if accounts.count > Self.linearLimit { return accountIndex[a] }
    for i in accounts.indices where accounts[i].address == a { return i }
    return nil
  }

  /// Set when the reader reported a read it could not answer (a parallel executor's
  /// dependency): the values read since are meaningless, so every frame stops.
  var halted = false

  @inline(__always) private func checkBlocked() {
    if state.isBlocked { halted = true }
  }

  func balance(_ i: Int) -> UInt256 {
    if let b = accounts[i].baseBalance { return b &+ accounts[i].balanceOffset }
    let b = state.balance(of: accounts[i].address)
    checkBlocked()
    accounts[i].baseBalance = b
    return b &+ accounts[i].balanceOffset
  }

  func nonce(_ i: Int) -> UInt64 {
    if accounts[i].nonceLoaded { return accounts[i].nonce }
    let n = state.nonce(of: accounts[i].address)
    checkBlocked()
    accounts[i].nonceLoaded = true
    accounts[i].originalNonce = n
    accounts[i].nonce = n
    return n
  }

  func code(_ i: Int) -> Code {
    if let c = accounts[i].loadedCode { return c }
    let c = state.code(of: accounts[i].address)
    checkBlocked()
    accounts[i].loadedCode = c
    return c
  }

  @inline(__always) func balance(_ a: Address) -> UInt256 { balance(index(a)) }
  @inline(__always) func code(_ a: Address) -> Code { code(index(a)) }

  /// EIP-161 emptiness. A positive credit proves the balance non-zero without reading it.
  func isEmpty(_ i: Int) -> Bool {
    if accounts[i].baseBalance == nil && !accounts[i].balanceOffset.isZero { return false }
    return balance(i).isZero && nonce(i) == 0 && code(i).isEmpty
  }

  /// Marks the account warm; returns true when it was cold (EIP-2929).
  @inline(__always) func warmAccount(_ a: Address) -> Bool {
    // Precompiles are warm from the start of every transaction (EIP-2929).
    if Precompiles.id(a) != nil { return false }
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
    let base = accounts[i].baseBalance ?? { _ = balance(i); return accounts[i].baseBalance! }()
    journal.append(.balance(i, accounts[i].balanceOffset))
    accounts[i].balanceOffset = v &- base
    touch(i)
  }

  /// A credit that does not read the balance.
  func addBalance(_ i: Int, _ v: UInt256) {
    journal.append(.balance(i, accounts[i].balanceOffset))
    accounts[i].balanceOffset = accounts[i].balanceOffset &+ v
    touch(i)
  }

  func setNonce(_ i: Int, _ n: UInt64) {
    _ = nonce(i)
    journal.append(.nonce(i, accounts[i].nonce))
    accounts[i].nonce = n
    touch(i)
  }

  func setCode(_ i: Int, _ c: Code) {
    replacedCodes.append(code(i))
    journal.append(.code(i))
    accounts[i].loadedCode = c
  }

  func markCreated(_ i: Int) {
    journal.append(.created(i))
    accounts[i].created = true
  }

  /// Moves value; false (and nothing changed) when the sender's balance is short. The
  /// recipient's balance is credited without being read.
  func transfer(from: Address, to: Address, value: UInt256) -> Bool {
    let fi = index(from)
    let ti = index(to)
    if value.isZero {
      touch(ti)
      return true
    }
    let fb = balance(fi)
    if fb < value { return false }
    setBalance(fi, fb &- value)
    addBalance(ti, value)
    return true
  }

  func hasStorage(_ i: Int) -> Bool {
    if let h = accounts[i].hadStorage { return h }
    let h = state.hasStorage(accounts[i].address)
    accounts[i].hadStorage = h
    return h
  }

  // MARK: storage

  @inline(__always) private func slot(_ key: SlotKey) -> StorageSlot {
    if let s = storage[key] { return s }
    let v = state.storage(of: key.address, slot: key.slot)
    checkBlocked()
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
      case .balance(let i, let v): accounts[i].balanceOffset = v
      case .nonce(let i, let v): accounts[i].nonce = v
      case .code(let i): accounts[i].loadedCode = replacedCodes.removeLast()
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
    if let r = existingIndex(Precompiles.ripemdAddress) { return r == i }
    return false
  }

  // MARK: self-destruct

  /// SELFDESTRUCT per EIP-6780: the balance always moves to the beneficiary; the account
  /// is removed only if it was created in this same transaction.
  func selfDestruct(_ a: Address, beneficiary: Address) {
    let i = index(a)
    let bi = index(beneficiary)
    let bal = balance(i)
    if accounts[i].created {
      setBalance(i, .zero)
      if bi != i { addBalance(bi, bal) }
      if !accounts[i].selfDestructed {
        journal.append(.selfDestructed(i))
        accounts[i].selfDestructed = true
      }
    } else if bi != i {
      setBalance(i, .zero)
      addBalance(bi, bal)
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
    for i in accounts.indices {
      // Field by field: a copy of the account would retain and release its code (see
      // `buildWrites`).
      let address = accounts[i].address
      let touched = accounts[i].touched
      let created = accounts[i].created
      let dirty = dirtyStorage[address]
      let nonceChanged = accounts[i].nonceLoaded && accounts[i].nonce != accounts[i].originalNonce
      let offset = accounts[i].balanceOffset
      let balanceChanged = !offset.isZero
      guard touched || created || dirty != nil || nonceChanged || balanceChanged else { continue }
      var ch = AccountChange()
      if accounts[i].selfDestructed || (touched && isEmpty(i)) {
        // Removed with all its storage; the slots it wrote are listed (as written) so that
        // a fine-grained consumer can clear them.
        ch.deleted = true
        if let d = dirty { ch.storage = d.mapValues { _ in .zero } }
        changes[address] = ch
        continue
      }
      if balanceChanged {
        if let base = accounts[i].baseBalance {
          ch.balance = base &+ offset
        } else {
          ch.balanceDelta = offset
        }
      }
      if nonceChanged { ch.nonce = accounts[i].nonce }
      if created {
        ch.code = accounts[i].loadedCode ?? .empty
        ch.storageCleared = true
      }
      if let d = dirty { ch.storage = d }
      if ch.balance == nil && ch.balanceDelta == nil && ch.nonce == nil && ch.code == nil && ch.storage.isEmpty {
        continue
      }
      changes[address] = ch
    }
    return StateDiff(accounts: changes)
  }
}
