import BraidEVM
import BraidPrimitives
import BraidStorage
import Foundation

/// A store in a fresh temporary directory, removed by `cleanUp()`.
struct TempStore {
  let path: String
  /// Optional only so that `reopen` can release the directory's lock before taking it again.
  var store: Store!

  init(mapSize: Int = 1 << 30) throws {
    path = FileManager.default.temporaryDirectory.appendingPathComponent("braid-store-\(UUID().uuidString)").path
    store = try Store.open(path: path, mapSize: mapSize)
  }

  /// Drops this handle and opens the directory again, as a restarted node would.
  mutating func reopen(mapSize: Int = 1 << 30) throws {
    store = nil
    store = try Store.open(path: path, mapSize: mapSize)
  }

  func cleanUp() { try? FileManager.default.removeItem(atPath: path) }
}

func address(_ n: UInt32) -> Address { Address(hi: 0xaaaa_0000_0000_0000, mid: 0, lo: n) }

/// A header for block `number` whose other fields are recognisable in assertions.
func header(_ number: UInt64, parent: Hash32 = .zero, stateRoot: Hash32 = .zero) -> BlockHeader {
  BlockHeader(
    number: number, parentHash: parent, stateRoot: stateRoot, coinbase: address(0xc0), gasLimit: 30_000_000,
    gasUsed: 21_000 * number, timestamp: 1_700_000_000 + number, baseFeePerGas: UInt256(7), extraData: [0xb1])
}

/// A block with no transactions that applies `changes`.
func block(_ number: UInt64, _ changes: StateDiff, journalThrough: UInt64? = nil) -> CommittedBlock {
  CommittedBlock(header: header(number), transactions: [], receipts: [], changes: changes, journalThrough: journalThrough)
}

/// One account set to these values (and slots), as a change set.
func accountChange(
  _ a: Address, balance: UInt64, nonce: UInt64 = 0, code: Code? = nil, storage: [UInt256: UInt256] = [:]
) -> StateDiff {
  var change = AccountChange()
  change.balance = UInt256(balance)
  change.nonce = nonce
  change.code = code
  change.storage = storage
  return StateDiff(accounts: [a: change])
}
