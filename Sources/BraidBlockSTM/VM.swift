/// The contract between Block-STM and the virtual machine it runs: what the engine asks of
/// a VM, and what an execution hands back.

/// A transaction's position in the block; the preset serialization order.
public typealias TxnIndex = Int

/// How many times a transaction's execution was started over (0 for the first execution).
public typealias Incarnation = Int

/// One execution of one transaction: the writes in versioned memory are tagged with it.
public struct Version: Hashable, Sendable {
  public var txn: TxnIndex
  public var incarnation: Incarnation

  @inlinable
  public init(txn: TxnIndex, incarnation: Incarnation) {
    self.txn = txn
    self.incarnation = incarnation
  }
}

/// A VM that Block-STM can run. Keys are fine-grained state locations; a write is either a
/// full value or a commutative delta (e.g. "add 5 wei") that is folded onto whatever value
/// precedes it, so that many transactions crediting one account do not conflict.
///
/// Execution is speculative: an incarnation may observe reads that no sequential execution
/// could produce (one value from before an earlier transaction re-executed, another from
/// after). The VM must tolerate that — return, not trap or loop — because validation
/// re-resolves every read, and an incarnation whose reads were not all final is discarded
/// and run again. A VM that notices its reads contradict each other may therefore return
/// any `.done` result (empty writes, say); it can never be committed.
///
/// A write set names each key at most once, and the VM serves its own writes to itself:
/// `ReadView` only sees what lower transactions wrote.
public protocol BlockSTMVM: Sendable {
  associatedtype Key: Hashable & Sendable
  associatedtype Value: Equatable & Sendable
  associatedtype Delta: Sendable
  associatedtype Output: Sendable
  /// The value before the block (pre-state). Must be thread-safe.
  func storageValue(_ key: Key) -> Value
  /// Applies a delta to a value, and merges two deltas (the second applied after the first).
  static func apply(_ delta: Delta, to value: Value) -> Value
  static func merge(_ first: Delta, _ second: Delta) -> Delta
  /// Executes transaction `txn` speculatively. Reads go through `view`; if a read hits an
  /// ESTIMATE, `view.read` returns nil and the VM must return `.dependency` promptly (the
  /// executor also records the blocking txn in the view, see below).
  func execute(_ txn: TxnIndex, view: inout ReadView<Self>) -> VMResult<Self>
  /// Keys transaction `txn` is known to write before it runs (an EVM transaction always
  /// writes its sender's nonce): the executor places ESTIMATEs there, so a later
  /// transaction reading such a key waits for `txn` instead of executing on a value about
  /// to change. A wrong hint costs waiting, never correctness.
  func writeHints(_ txn: TxnIndex) -> [Key]
  /// A hash of `key` for versioned memory, never 0, with well-mixed low bits (they pick a
  /// shard). The default is `hashValue`; a VM can offer something cheaper than SipHash. An
  /// instance method, so that a VM can keep what its hash needs (random keys) in itself
  /// rather than in a global, which costs an initialization check on every access.
  func keyHash(_ key: Key) -> Int
}

/// What one execution of a transaction produced.
public enum VMResult<VM: BlockSTMVM> {
  case done(writes: [(VM.Key, WriteOp<VM>)], output: VM.Output)
  /// The view hit an ESTIMATE; the executor suspends the txn until the blocker re-executes.
  /// An incarnation whose view hit an ESTIMATE is treated as this whatever it returned: what
  /// it computed rests on a value that is about to change.
  case dependency
}

extension VMResult: Sendable {}

/// One write of a transaction: a full value, or a delta folded onto the value below it.
public enum WriteOp<VM: BlockSTMVM> {
  case value(VM.Value)
  case delta(VM.Delta)
}

extension WriteOp: Sendable {}
extension WriteOp: Equatable where VM.Delta: Equatable {}

extension BlockSTMVM {
  @inlinable public func writeHints(_ txn: TxnIndex) -> [Key] { [] }
  @inlinable public func keyHash(_ key: Key) -> Int { key.hashValue }
}
