/// A whole world state held in dictionaries: the pre-state of a state test or a benchmark
/// block, and the sequential reference executor's state.
import BraidPrimitives

public struct AccountState: Sendable {
  public var balance: UInt256
  public var nonce: UInt64
  public var code: Code
  public var storage: [UInt256: UInt256]

  public init(balance: UInt256 = .zero, nonce: UInt64 = 0, code: Code = .empty, storage: [UInt256: UInt256] = [:]) {
    self.balance = balance
    self.nonce = nonce
    self.code = code
    self.storage = storage
  }

  /// EIP-161: no code, zero nonce, zero balance.
  public var isEmpty: Bool { balance.isZero && nonce == 0 && code.isEmpty }
}

public struct InMemoryState: StateReader, Sendable {
  public var accounts: [Address: AccountState]
  /// The chain's recent block hashes, set by a node before it executes a block on this
  /// state. Numbers not in it fall back to the state-test convention below.
  public var blockHashes: [UInt64: Hash32] = [:]

  public init(accounts: [Address: AccountState] = [:]) { self.accounts = accounts }

  public func balance(of address: Address) -> UInt256 { accounts[address]?.balance ?? .zero }
  public func nonce(of address: Address) -> UInt64 { accounts[address]?.nonce ?? 0 }
  public func code(of address: Address) -> Code { accounts[address]?.code ?? .empty }
  public func storage(of address: Address, slot: UInt256) -> UInt256 {
    accounts[address]?.storage[slot] ?? .zero
  }
  public func hasStorage(_ address: Address) -> Bool { !(accounts[address]?.storage.isEmpty ?? true) }

  /// A recorded hash, else what go-ethereum's state-test runner uses: keccak256 of the
  /// number in decimal.
  public func blockHash(number: UInt64) -> Hash32 {
    if let h = blockHashes[number] { return h }
    return Keccak256.hash(Array(String(number).utf8))
  }

  /// Applies a transaction's changes in place. Accounts are mutated through the
  /// dictionary's in-place accessor: copying an `AccountState` out and back would copy its
  /// whole storage dictionary on every write.
  public mutating func apply(_ diff: StateDiff) {
    for (address, change) in diff.accounts {
      if change.deleted {
        accounts[address] = nil
        continue
      }
      Self.update(&accounts[address, default: AccountState()], with: change)
    }
  }

  private static func update(_ account: inout AccountState, with change: AccountChange) {
    if change.storageCleared { account.storage = [:] }
    if let b = change.balance { account.balance = b }
    if let d = change.balanceDelta { account.balance = account.balance &+ d }
    if let n = change.nonce { account.nonce = n }
    if let c = change.code { account.code = c }
    for (slot, value) in change.storage {
      account.storage[slot] = value.isZero ? nil : value
    }
  }
}
