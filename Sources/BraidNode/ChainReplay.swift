/// Checking a data directory against a sequential replay of its own blocks: re-execute
/// every stored block from genesis with the sequential executor and compare each header's
/// roots, gas and bloom, each stored receipt, and at the end the whole stored state, with
/// what the replay computed. What `braid verify-chain` and the crash test rely on to say
/// that what survived a crash is a chain, not just a file that opens.
import BraidEVM
import BraidExecution
import BraidPrimitives
import BraidRPC
import BraidStorage
import BraidTrie

public enum ChainReplay {
  public struct Report: Sendable {
    public var head: UInt64 = 0
    public var transactions = 0
    public var pendingJournal = 0
    /// Every difference found, first ones first; empty when the store is consistent.
    public var mismatches: [String] = []
  }

  /// Replays the chain in `dataDirectory` from `genesis`. `adoptStoredTimestamp` as in
  /// `NodeChain.open`. Stops collecting after `maxMismatches`.
  ///
  /// Each transaction is replayed with the sender its stored receipt keeps, recovered once
  /// at admission: recovering every signature again would be most of the replay's time.
  /// A wrong stored sender still shows, as a replay that diverges (nonces, balances, the
  /// state root). `recoverSenders` recovers every signature anyway and reports each one
  /// whose sender differs from the stored one; the replay then uses the recovered sender.
  public static func verify(
    dataDirectory: String, genesis configured: Genesis, adoptStoredTimestamp: Bool,
    recoverSenders: Bool = false, maxMismatches: Int = 20
  ) throws(NodeOpenError) -> Report {
    do {
      let store = try Store.open(path: dataDirectory)
      var genesis = configured
      if adoptStoredTimestamp, let stored = try store.header(number: 0) {
        genesis.timestamp = stored.timestamp
      }
      var report = Report()
      func mismatch(_ what: String) {
        if report.mismatches.count < maxMismatches { report.mismatches.append(what) }
      }

      let (genesisRecord, genesisState) = NodeChain.genesisBlock(genesis)
      guard let head = try store.headNumber() else { throw NodeOpenError("\(dataDirectory) holds no chain") }
      report.head = head
      report.pendingJournal = try store.journalEntries().count
      if try store.genesisHash() != genesisRecord.hash {
        mismatch("genesis hash differs from the configured genesis")
      }

      var state = genesisState
      var hashes: [UInt64: Hash32] = [0: genesisRecord.hash]
      var parentHash = genesisRecord.hash
      if head > 0 {
        for number in 1...head {
          guard let header = try store.header(number: number),
            let raw = try store.transactions(inBlock: number),
            let stored = try store.receipts(inBlock: number)
          else {
            mismatch("block \(number) is missing")
            break
          }
          if header.parentHash != parentHash { mismatch("block \(number): parent hash does not link") }
          var transactions: [Transaction] = []
          transactions.reserveCapacity(raw.count)
          if stored.count != raw.count {
            // No sender to take for some transactions: recover them all, so that the replay
            // goes on and the blocks after this one are still checked.
            mismatch("block \(number): \(raw.count) transactions but \(stored.count) stored receipts")
            for tx in raw { transactions.append(try StoredChain.decodeRecovering(tx).transaction) }
          } else if recoverSenders {
            for (index, (tx, receipt)) in zip(raw, stored).enumerated() {
              let recovered = try StoredChain.decodeRecovering(tx).transaction
              if recovered.sender != receipt.sender {
                mismatch(
                  "block \(number) transaction \(index): stored sender \(receipt.sender), "
                    + "signed by \(recovered.sender)")
              }
              transactions.append(recovered)
            }
          } else {
            for (tx, receipt) in zip(raw, stored) {
              transactions.append(try StoredChain.decode(tx, sender: receipt.sender).transaction)
            }
          }
          state.blockHashes = hashes
          let result = BlockExecutor.execute(
            transactions, block: header.environment(chainId: genesis.chainId), state: &state, threads: 0)
          report.transactions += transactions.count
          let excluded = result.outcomes.filter {
            if case .excluded = $0 { return true } else { return false }
          }
          if !excluded.isEmpty {
            mismatch("block \(number): \(excluded.count) stored transactions do not execute")
          }
          if state.stateRoot() != header.stateRoot { mismatch("block \(number): state root differs") }
          if Receipt.root(result.receipts) != header.receiptsRoot {
            mismatch("block \(number): receipts root differs")
          }
          if MerklePatriciaTrie.orderedRoot(raw) != header.transactionsRoot {
            mismatch("block \(number): transactions root differs")
          }
          if result.gasUsed != header.gasUsed { mismatch("block \(number): gas used differs") }
          var bloom = Bloom()
          for r in result.receipts { bloom.formUnion(r.logsBloom) }
          if bloom != header.logsBloom { mismatch("block \(number): logs bloom differs") }
          if stored.map(\.encoded) != result.receipts.map(\.encoded) {
            mismatch("block \(number): stored receipts differ from the replay's")
          }
          parentHash = header.hash
          hashes[number] = parentHash
          if number >= 256 { hashes[number - 256] = nil }
        }
      }
      compare(stored: try store.loadState(), replayed: state, mismatch)
      return report
    } catch let error as NodeOpenError {
      throw error
    } catch {
      throw NodeOpenError("\(dataDirectory): \(error)")
    }
  }

  /// Account by account, slot by slot: the stored state against the replay's.
  static func compare(stored: InMemoryState, replayed: InMemoryState, _ mismatch: (String) -> Void) {
    for address in Set(stored.accounts.keys).union(replayed.accounts.keys).sorted() {
      guard let a = stored.accounts[address], let b = replayed.accounts[address] else {
        mismatch(
          "account \(address): \(stored.accounts[address] == nil ? "missing from" : "extra in") the store")
        continue
      }
      if a.balance != b.balance || a.nonce != b.nonce || a.code.hash != b.code.hash {
        mismatch("account \(address): balance, nonce or code differs")
      }
      if a.storage != b.storage { mismatch("account \(address): storage differs") }
    }
  }
}
