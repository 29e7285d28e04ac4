/// `braid verify-chain`: replays a data directory's blocks sequentially from genesis and
/// compares every header, receipt and the final stored state with the replay; exit 1 on
/// any difference. The crash test runs it after its kill -9 cycles.
import ArgumentParser
import BraidNode
import Foundation

struct VerifyChainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify-chain",
    abstract:
      "Re-execute a data directory's blocks sequentially from genesis and check the stored chain against it.")

  @OptionGroup var chain: ChainOptions

  @Flag(
    help:
      "Recover every transaction's sender from its signature again and check it against the stored one (about 45 µs a transaction); by default the replay takes the stored senders."
  )
  var recoverSenders = false

  func run() throws {
    let dataDirectory = try chain.dataDirectory()
    guard !dataDirectory.isEmpty else { throw ValidationError("--data-dir (or BRAID_DATA_DIR) is required") }
    let (genesis, isDev) = try chain.makeGenesis()
    let report: ChainReplay.Report
    do {
      report = try ChainReplay.verify(
        dataDirectory: dataDirectory, genesis: genesis, adoptStoredTimestamp: isDev,
        recoverSenders: recoverSenders)
    } catch {
      throw InputError(error.description)
    }
    let summary =
      "\(report.head) blocks, \(report.transactions) transactions replayed sequentially; "
      + "\(report.pendingJournal) journaled transactions pending"
    guard report.mismatches.isEmpty else {
      for m in report.mismatches { printError("verify-chain: \(m)") }
      throw InputError("verify-chain: \(summary): the stored chain differs from its replay")
    }
    print("verify-chain: \(summary): every block's roots, gas, bloom and receipts and the stored state match")
  }
}
