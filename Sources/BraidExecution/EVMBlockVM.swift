/// The EVM as a Block-STM VM: each transaction executes against a `StateReader` that reads
/// through Block-STM's versioned memory, and its `StateDiff` becomes fine-grained writes.
import BraidBlockSTM
import BraidEVM
import BraidPrimitives

struct EVMBlockVM: BlockSTMVM {
  typealias Key = StateKey
  typealias Value = StateValue
  typealias Delta = UInt256
  typealias Output = TransactionOutcome

  let pre: InMemoryState
  /// The same pre-state behind one reference, which each incarnation's reader holds
  /// without retaining (see `VersionedStateReader.pre`).
  let preBox: PreState
  /// The block's transactions; this VM runs `first ..< first + count` of them, as its
  /// transactions 0 ..< count.
  let transactions: [Transaction]
  let first: Int
  let block: BlockEnv
  /// Per transaction: whether a transaction soon after it (within `hintReach`) is sent
  /// from its sender or from the account it pays, so that hinting its writes
  /// (`writeHints`) can save a wasted execution.
  let hinted: [Bool]
  /// The gas limits of this VM's transactions added up (saturating): when they fit in the
  /// block gas left, no transaction can fail to fit (`BlockExecutor.firstMisfit`).
  let gasLimitTotal: UInt64
  /// `HashMixing.keys`, read once per block (see `keyHash`).
  let hashKeys = HashMixing.keys

  /// How close the next transaction of the same account must be for a hint. Hints are
  /// placed before any transaction executes, ten thousand inserts for a block whose
  /// senders recur; they only save work when the two transactions can be in flight at
  /// once, or one soon after the other, not when a thousand lie between them.
  static var hintReach: Int { 64 }

  init(pre: InMemoryState, transactions: [Transaction], range: Range<Int>, block: BlockEnv) {
    self.pre = pre
    preBox = PreState(pre)
    self.transactions = transactions
    first = range.lowerBound
    self.block = block
    // Walking backwards: where each account next sends. Only sends within `hintReach`
    // matter, so a small direct-mapped table stands in for a dictionary of every sender:
    // this runs serially before any worker starts, and a ten-thousand-entry dictionary cost
    // a cache miss per lookup. Two accounts sharing a slot only lose a hint.
    var nextSend = RecentSends()
    var hinted = [Bool](repeating: false, count: range.count)
    var gasLimitTotal: UInt64 = 0
    for i in (0..<range.count).reversed() {
      let k = first + i
      let (sum, overflow) = gasLimitTotal.addingReportingOverflow(transactions[k].gasLimit)
      gasLimitTotal = overflow ? .max : sum
      let sender = transactions[k].sender
      let reach = i + Self.hintReach
      var isHinted = nextSend.index(of: sender).map { $0 <= reach } ?? false
      if !isHinted, let to = transactions[k].to, let next = nextSend.index(of: to) { isHinted = next <= reach }
      hinted[i] = isHinted
      nextSend.record(sender, at: i)
    }
    self.hinted = hinted
    self.gasLimitTotal = gasLimitTotal
  }

  func storageValue(_ key: StateKey) -> StateValue {
    switch key {
    case .balance(let a): return .word(pre.balance(of: a))
    case .nonce(let a): return .word(UInt256(pre.nonce(of: a)))
    case .code(let a): return .code(pre.code(of: a))
    case .storage(let a, let slot): return .word(pre.storage(of: a, slot: slot))
    }
  }

  /// Every transaction writes its sender's nonce (an excluded one writes it back) and, when
  /// valid, its sender's balance; a payment credits the recipient. Seeding these as
  /// ESTIMATEs makes a transaction wait for the previous one from the same account instead
  /// of running on its stale nonce or balance: one sender's transactions form a pipeline.
  /// Seeding is serial work before the block starts, so only transactions whose accounts
  /// send again later are hinted.
  func writeHints(_ txn: TxnIndex) -> [StateKey] {
    guard hinted[txn] else { return [] }
    let tx = transactions[first + txn]
    if let to = tx.to, to != tx.sender, !tx.value.isZero {
      return [.nonce(tx.sender), .balance(tx.sender), .balance(to)]
    }
    return [.nonce(tx.sender), .balance(tx.sender)]
  }

  /// A fraction of SipHash's cost, on every read, write and validation: folded words
  /// (`StateKey.hash(into:)`) through a 64-bit finalizer (MurmurHash3's fmix64). For a
  /// storage slot the low 24 bits (the shard of versioned memory, then the bucket in the
  /// shard) come from the whole key, so the slots of one hot contract spread over all
  /// shards and their locks. The bits from 24 up come from the account's address alone, so
  /// that within a shard, sorted by hash (`BlockSTMResult.finalValueList`), an account's
  /// keys sit together and `BlockExecutor.commit` updates each account once per shard
  /// rather than once per key.
  ///
  /// An account's balance, nonce and code differ only in bits 8 and 9, the lowest bits of
  /// the bucket (and of the `WrittenKeys` slot): the three share a shard, a lock, and the
  /// cache lines of their buckets and slots. A transaction reads all three of its sender's,
  /// and each one in a shard of its own had cost three times the cache misses (callgrind,
  /// 1 MiB cache: 7% fewer misses on a parallel transfer block).
  ///
  /// The same values as `StateKey.folded` and `Address.mixed` give, from a copy of
  /// `HashMixing.keys` kept in the VM (`hashKeys`).
  @inline(__always)
  func keyHash(_ key: StateKey) -> Int {
    let k = hashKeys
    let a = key.address
    let mixed = HashMixing.fold(a.hi, a.mid, UInt64(a.lo), 0x5ad, keys: k)
    let account = HashMixing.fmix64(mixed)
    let field: UInt64
    switch key {
    case .balance: field = 0
    case .nonce: field = 1
    case .code: field = 2
    case .storage(_, let slot):
      let slotMixed = HashMixing.fold(slot.w0, slot.w1, slot.w2, slot.w3, keys: k)
      let whole = HashMixing.fmix64(mixed ^ slotMixed.rotateLeft(29))
      let keyBits: UInt64 = 0xff_ffff
      return Int(bitPattern: UInt((account & ~keyBits) | (whole & keyBits)))
    }
    return Int(bitPattern: UInt((account & ~0x300) | field << 8))
  }

  static func apply(_ delta: UInt256, to value: StateValue) -> StateValue { .word(value.word &+ delta) }
  static func merge(_ first: UInt256, _ second: UInt256) -> UInt256 { first &+ second }

  func execute(_ txn: TxnIndex, view: inout ReadView<EVMBlockVM>) -> VMResult<EVMBlockVM> {
    let tx = transactions[first + txn]
    return withUnsafeMutablePointer(to: &view) { p -> VMResult<EVMBlockVM> in
      // The block gas pool is not checked here: every transaction runs as if it fitted,
      // and `BlockExecutor` checks afterwards that each one did (`firstMisfit`).
      let reader = VersionedStateReader(view: p, pre: preBox)
      let result: ExecutionResult
      do throws(TransactionError) {
        result = try EVM.execute(tx, block: block, state: reader, fieldWrites: true)
      } catch {
        // An invalid verdict reached on values read after a dependency is meaningless.
        if p.pointee.blockingTxn != nil { return .dependency }
        // Write back the sender's nonce as read: a no-op once validated, but it keeps the
        // write set of every incarnation the same. Otherwise a speculative "nonce too
        // high" writes nothing, its re-execution writes a new key, and Block-STM must
        // revalidate every later transaction; and later transactions of the same sender
        // would find no ESTIMATE to wait on.
        let nonce = reader.nonce(of: tx.sender)
        if p.pointee.blockingTxn != nil { return .dependency }
        return .done(writes: [(.nonce(tx.sender), .value(.word(UInt256(nonce))))], output: .excluded(error))
      }
      if p.pointee.blockingTxn != nil { return .dependency }
      let writes = Self.writes(of: result.writes)
      let executed = ExecutedTransaction(
        type: tx.type, success: result.success, gasUsed: result.gasUsed, logs: result.logs,
        createdAddress: result.createdAddress)
      return .done(writes: writes, output: .executed(executed))
    }
  }

  /// The EVM's field writes as Block-STM writes. A removed account writes zero balance and
  /// nonce and empty code; the slots it had written come as zero storage writes.
  static func writes(of fieldWrites: [StateWrite]) -> [(StateKey, WriteOp<EVMBlockVM>)] {
    var writes: [(StateKey, WriteOp<EVMBlockVM>)] = []
    writes.reserveCapacity(fieldWrites.count + 3)
    for write in fieldWrites {
      switch write {
      case .balance(let a, let b): writes.append((.balance(a), .value(.word(b))))
      case .balanceDelta(let a, let d): writes.append((.balance(a), .delta(d)))
      case .nonce(let a, let n): writes.append((.nonce(a), .value(.word(UInt256(n)))))
      case .code(let a, let c): writes.append((.code(a), .value(.code(c))))
      case .storage(let a, let slot, let value): writes.append((.storage(a, slot), .value(.word(value))))
      case .deleted(let a):
        writes.append((.balance(a), .value(.word(.zero))))
        writes.append((.nonce(a), .value(.word(.zero))))
        writes.append((.code(a), .value(.code(.empty))))
      }
    }
    return writes
  }
}

/// Reads for one incarnation, through Block-STM's view. Every read is recorded for
/// validation; a read that hits an ESTIMATE returns zero and marks the reader blocked, and
/// the EVM halts at its next step.
struct VersionedStateReader: StateReader {
  let view: UnsafeMutablePointer<ReadView<EVMBlockVM>>
  /// Unowned and unretained: the VM holds the box for the whole block, and a reader lives
  /// for one incarnation. Holding the pre-state by value retained and released its tables
  /// for every transaction, on reference counts every worker shares.
  unowned(unsafe) let pre: PreState

  func balance(of address: Address) -> UInt256 { view.pointee.read(.balance(address))?.word ?? .zero }
  func nonce(of address: Address) -> UInt64 { view.pointee.read(.nonce(address))?.word.w0 ?? 0 }
  func code(of address: Address) -> Code { view.pointee.read(.code(address))?.codeValue ?? .empty }
  func storage(of address: Address, slot: UInt256) -> UInt256 {
    view.pointee.read(.storage(address, slot))?.word ?? .zero
  }
  /// Only asked when creating at an address whose nonce and code read empty. Storage at
  /// such an address can only come from the pre-state: a transaction of this block that
  /// gave it storage would have given it code or a nonce first.
  func hasStorage(_ address: Address) -> Bool { pre.state.hasStorage(address) }
  func blockHash(number: UInt64) -> Hash32 { pre.state.blockHash(number: number) }
  var isBlocked: Bool { view.pointee.blockingTxn != nil }
}

/// A block's pre-state behind a reference (see `VersionedStateReader.pre`).
final class PreState: Sendable {
  let state: InMemoryState
  init(_ state: InMemoryState) { self.state = state }
}

/// The last position at which each of a few thousand accounts sent, in a direct-mapped table
/// that a core keeps in its cache: a newer account in the same slot replaces the older one.
struct RecentSends {
  static var slotCount: Int { 4096 }
  var addresses = [Address](repeating: .zero, count: RecentSends.slotCount)
  var positions = [Int](repeating: -1, count: RecentSends.slotCount)

  @inline(__always)
  static func slot(_ a: Address) -> Int { Int(truncatingIfNeeded: HashMixing.fmix64(a.mixed)) & (slotCount - 1) }

  @inline(__always)
  func index(of a: Address) -> Int? {
    let s = Self.slot(a)
    return positions[s] >= 0 && addresses[s] == a ? positions[s] : nil
  }

  @inline(__always)
  mutating func record(_ a: Address, at position: Int) {
    let s = Self.slot(a)
    addresses[s] = a
    positions[s] = position
  }
}
