/// The chain's state, held once and changed in place block by block, and the states of recent
/// blocks read back through what each block changed.
///
/// Keeping every recent block's state as its own `InMemoryState` value made each block copy
/// the whole account table (and the storage of every contract it wrote) the moment it
/// changed the head: with 500,000 accounts a block of 1,000 transfers took ~300 ms instead
/// of ~3, and each of the 128 kept states held its own copy of the table. Here the head is
/// changed in place, and each block leaves a `StateUndo` with the values it overwrote; the
/// state at block N is the head read through the records of blocks N+1 and later.
import BraidEVM
import BraidExecution
import BraidPrimitives
import Synchronization

/// The record of one block's changes, linked to the next block's, so that a reader holding
/// the state of an old block keeps every record it needs alive after the chain forgets it.
final class UndoLayer: @unchecked Sendable {
  // @unchecked Sendable: `undo` and `newer` are only written inside the owning LiveState's
  // lock and only read inside it.
  /// The block whose changes this records.
  let number: UInt64
  var undo = StateUndo()
  var newer: UndoLayer?

  init(number: UInt64) { self.number = number }
}

public final class LiveState: @unchecked Sendable {
  // @unchecked Sendable: `head` points at the one state. It is written only by the block
  // producer (the holder of the sequencer's production lock), and only inside `lock`; other
  // threads read it only inside `lock`. The producer's own reads outside the lock cannot
  // meet a write, because it makes every write itself. `layers`, `open` and `number` are
  // only touched inside `lock`.
  private let lock = Mutex(())
  private let head: UnsafeMutablePointer<InMemoryState>
  /// The last block whose changes are published.
  private var number: UInt64
  /// The record being filled by the next block (number + 1); a reader of block `number`
  /// starts its walk here, so writes of a block in progress stay invisible to it.
  private var open: UndoLayer
  /// Published records of the last `history` blocks, by block number.
  private var layers: [UInt64: UndoLayer] = [:]
  /// How many blocks back states can be read.
  let history: Int

  init(_ state: InMemoryState, at number: UInt64, history: Int) {
    head = .allocate(capacity: 1)
    head.initialize(to: state)
    self.number = number
    self.history = max(1, history)
    open = UndoLayer(number: number + 1)
    writeGuard = StateWriteGuard { [unowned self] body in
      lock.withLock { _ in body(&open.undo) }
    }
  }

  deinit {
    head.deinitialize(count: 1)
    head.deallocate()
  }

  /// The state for the block producer to execute on and change, through `writeGuard` only.
  /// Nobody else may touch it outside `read`.
  var producerState: UnsafeMutablePointer<InMemoryState> { head }

  /// Applies the producer's changes to the head inside the lock, recording what they
  /// overwrite in the open block's record.
  private(set) var writeGuard: StateWriteGuard! = nil

  /// Sets the head's recent block hashes (what BLOCKHASH sees) before the producer runs a block.
  func setBlockHashes(_ hashes: [UInt64: Hash32]) {
    lock.withLock { _ in head.pointee.blockHashes = hashes }
  }

  /// Publishes the open record as block `number`'s: readers of later states stop walking it,
  /// readers of earlier ones keep it. Called with the chain's head moving to `number`.
  func publish(_ number: UInt64) {
    lock.withLock { _ in
      precondition(number == self.number + 1, "states are published in order")
      let next = UndoLayer(number: number + 1)
      open.newer = next
      layers[number] = open
      open = next
      self.number = number
      if number >= UInt64(history) { layers[number - UInt64(history)] = nil }
    }
  }

  /// A reader of the state after block `block`, nil when it is not the head or one of the
  /// `history - 1` blocks before it.
  func view(atBlock block: UInt64) -> UndoLayer? {
    lock.withLock { _ in
      if block == number { return open }
      guard block < number, number - block < UInt64(history) else { return nil }
      return layers[block + 1]
    }
  }

  /// Runs `body` on the head and the records from `start` on, inside the lock.
  func read<T>(from start: UndoLayer, _ body: (InMemoryState, UndoLayer) -> T) -> T {
    lock.withLock { _ in body(head.pointee, start) }
  }
}

/// The state after one block, read through `LiveState`; what RPC reads and the mempool
/// see. Each read takes the state's lock, so one view can be read while blocks are made.
public struct StateView: StateReader, Sendable {
  let live: LiveState
  /// The record of the block after the one viewed.
  let start: UndoLayer
  let blockHashes: @Sendable (UInt64) -> Hash32

  /// The account's fields: from the oldest record of it at or after `start`, else the head.
  public func account(_ address: Address) -> (balance: UInt256, nonce: UInt64, code: Code)? {
    live.read(from: start) { head, start in
      var layer: UndoLayer? = start
      while let l = layer {
        if let u = l.undo.accounts[address] { return u.existed ? (u.balance, u.nonce, u.code) : nil }
        layer = l.newer
      }
      return head.accounts[address].map { ($0.balance, $0.nonce, $0.code) }
    }
  }

  public func balance(of address: Address) -> UInt256 { account(address)?.balance ?? .zero }
  public func nonce(of address: Address) -> UInt64 { account(address)?.nonce ?? 0 }
  public func code(of address: Address) -> Code { account(address)?.code ?? .empty }

  public func storage(of address: Address, slot: UInt256) -> UInt256 {
    live.read(from: start) { head, start in
      var layer: UndoLayer? = start
      while let l = layer {
        if let u = l.undo.accounts[address] {
          if !u.existed { return .zero }
          if let whole = u.storage { return whole[slot] ?? .zero }
          if let v = u.slots[slot] { return v }
          // The account changed in that block but not this slot: it holds the value of
          // the next block that wrote it, or the head's.
        }
        layer = l.newer
      }
      return head.storage(of: address, slot: slot)
    }
  }

  public func hasStorage(_ address: Address) -> Bool {
    live.read(from: start) { head, start in
      var chain: [UndoLayer] = []
      var layer: UndoLayer? = start
      while let l = layer {
        if l.undo.accounts[address] != nil { chain.append(l) }
        layer = l.newer
      }
      if chain.isEmpty { return head.hasStorage(address) }
      // Undo the blocks newest first, down to the one after the viewed block.
      var storage = head.accounts[address]?.storage ?? [:]
      for l in chain.reversed() {
        let u = l.undo.accounts[address]!
        if !u.existed {
          storage = [:]
        } else if let whole = u.storage {
          storage = whole
        } else {
          for (slot, value) in u.slots { storage[slot] = value.isZero ? nil : value }
        }
      }
      return !storage.isEmpty
    }
  }

  public func blockHash(number: UInt64) -> Hash32 { blockHashes(number) }
}
