/// The EVM on Block-STM: state keys, lazy fee and value credits, the block executors
/// (parallel and sequential) and receipts.
///
/// State is split into fine-grained keys — an account's balance, its nonce, its code and
/// each storage slot — so that, for example, an ERC-20 transfer and a payment to the same
/// account touch different keys and do not conflict. Credits to a balance the transaction
/// never read (the coinbase fee, a plain payment) are written as commutative deltas that
/// Block-STM folds in order, so thousands of transactions paying one address run in
/// parallel while any transaction that does read that balance sees the exact value.
import BraidEVM
import BraidPrimitives

/// One independently versioned piece of state.
public enum StateKey: Hashable, Sendable {
  case balance(Address)
  case nonce(Address)
  case code(Address)
  case storage(Address, UInt256)

  /// One word per key (see `HashMixing`): the tag, the address and the slot folded.
  public func hash(into hasher: inout Hasher) { hasher.combine(folded) }
  public func _rawHashValue(seed: Int) -> Int { HashMixing.finish(folded, seed: seed) }

  @inline(__always)
  var folded: UInt64 {
    switch self {
    case .balance(let a): return a.mixed &+ 1
    case .nonce(let a): return a.mixed &+ 2
    case .code(let a): return a.mixed &+ 3
    case .storage(let a, let slot): return a.mixed ^ slot.mixed.rotateLeft(29)
    }
  }

  var isStorage: Bool {
    if case .storage = self { return true }
    return false
  }

  /// The slot of a storage key; nil for an account field.
  var slot: UInt256? {
    if case .storage(_, let slot) = self { return slot }
    return nil
  }

  var address: Address {
    switch self {
    case .balance(let a), .nonce(let a), .code(let a), .storage(let a, _): return a
    }
  }
}

/// A value under a `StateKey`: a word (balance, nonce, slot, gas) or code.
public enum StateValue: Equatable, Sendable {
  case word(UInt256)
  case code(Code)

  var word: UInt256 {
    if case .word(let w) = self { return w }
    return .zero
  }

  var codeValue: Code {
    if case .code(let c) = self { return c }
    return .empty
  }

  public static func == (a: StateValue, b: StateValue) -> Bool {
    switch (a, b) {
    case (.word(let x), .word(let y)): return x == y
    case (.code(let x), .code(let y)): return x === y || x.hash == y.hash
    default: return false
    }
  }
}
