/// The options that say which chain a command works on, shared by `serve` and
/// `verify-chain` so that both build the same genesis from the same flags and `BRAID_*`
/// variables.
import ArgumentParser
import BraidEVM
import BraidNode
import BraidPrimitives
import BraidRPC
import Foundation

struct ChainOptions: ParsableArguments {
  @Flag(
    help:
      "Development chain: chain id 1337 and the ten accounts of the 'test test ... junk' mnemonic (the default without --genesis). Env: BRAID_DEV=1."
  )
  var dev = false

  @Option(
    help: "A geth-style genesis.json, or a benchmark block file (its pre-state and env). Env: BRAID_GENESIS.")
  var genesis: String?

  @Option(help: "Chain id of the --dev chain (default 1337). Env: BRAID_CHAIN_ID.")
  var chainId: UInt64?

  @Option(
    name: .customLong("dev-key"),
    help: "Private key (hex) of an extra prefunded account eth_sendTransaction may sign for; repeatable.")
  var devKeys: [String] = []

  @Option(
    help:
      "Directory of the LMDB store and submission journal; reopened where it left off. Without it the chain is in memory only. Env: BRAID_DATA_DIR."
  )
  var dataDir: String?

  func dataDirectory() throws -> String { try environmentSetting(dataDir, "BRAID_DATA_DIR", "") }

  /// The genesis, and whether it is the dev chain's (made with the current time, which a
  /// reopened store replaces with its own).
  func makeGenesis() throws -> (Genesis, isDev: Bool) {
    let genesisPath = try environmentSetting(genesis, "BRAID_GENESIS", "")
    let devFlag = dev || ["1", "true"].contains(ProcessInfo.processInfo.environment["BRAID_DEV"] ?? "")
    if devFlag && !genesisPath.isEmpty { throw ValidationError("--dev and --genesis exclude each other") }
    var chainGenesis: Genesis
    if genesisPath.isEmpty {
      chainGenesis = .dev(timestamp: UInt64(Date().timeIntervalSince1970))
      chainGenesis.chainId = try environmentSetting(chainId, "BRAID_CHAIN_ID", 1337)
    } else {
      let data = try InputFile.read(genesisPath)
      do {
        chainGenesis = try Genesis.parse(Array(data))
      } catch {
        throw InputError("\(genesisPath): \(error.description)")
      }
    }
    for hex in devKeys {
      guard let key = try? Hex.decode(hex), key.count == 32,
        let address = TransactionSigner.address(privateKey: key)
      else {
        throw InputError("--dev-key: '\(hex.prefix(12))...' is not a 32-byte hex private key")
      }
      chainGenesis.devKeys.append(key)
      // 10,000 ether each, as anvil and hardhat fund their dev accounts.
      chainGenesis.alloc[address] = AccountState(
        balance: UInt256(10_000) &* UInt256(1_000_000_000_000_000_000))
    }
    return (chainGenesis, genesisPath.isEmpty)
  }
}

/// The flag, else the environment variable, else the default.
func environmentSetting<T: LosslessStringConvertible>(_ flag: T?, _ variable: String, _ fallback: T) throws
  -> T
{
  if let flag { return flag }
  guard let text = ProcessInfo.processInfo.environment[variable], !text.isEmpty else { return fallback }
  guard let value = T(text) else { throw ValidationError("\(variable)=\(text) is not a valid value") }
  return value
}
