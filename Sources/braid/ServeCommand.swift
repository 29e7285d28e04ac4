/// `braid serve`: the node (mempool, sequencer, in-memory chain) behind the HTTP server's
/// JSON-RPC, REST and /metrics. Every option can also come from a `BRAID_*` environment
/// variable (`--block-interval-ms` from `BRAID_BLOCK_INTERVAL_MS`), as container and
/// systemd deployments set them; a flag on the command line wins.
import ArgumentParser
import BraidEVM
import BraidHTTP
import BraidNode
import BraidPrimitives
import BraidRPC
import Dispatch
import Foundation

struct ServeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Serve JSON-RPC, REST and /metrics over HTTP from a Braid node (state in memory for now).")

  @Option(help: "Address to listen on (a literal IPv4 or IPv6 address). Env: BRAID_HTTP_HOST.")
  var httpHost: String?

  @Option(help: "Port to listen on; 0 picks a free one. Env: BRAID_HTTP_PORT.")
  var httpPort: Int?

  @Option(help: "Event loops (threads); default: one per core. Env: BRAID_HTTP_THREADS.")
  var httpThreads: Int?

  @Option(help: "Open connections across all loops. Env: BRAID_HTTP_MAX_CONNECTIONS.")
  var httpMaxConnections: Int?

  @Flag(
    help:
      "Development chain: chain id 1337 and the ten accounts of the 'test test ... junk' mnemonic (the default without --genesis). Env: BRAID_DEV=1."
  )
  var dev = false

  @Option(
    help: "A geth-style genesis.json, or a benchmark block file (its pre-state and env). Env: BRAID_GENESIS.")
  var genesis: String?

  @Option(
    help:
      "Make a block this often while transactions are pending (default 200). Env: BRAID_BLOCK_INTERVAL_MS.")
  var blockIntervalMs: Int?

  @Option(
    help:
      "Make a block at once when this many transactions are pending (default 10000). Env: BRAID_BLOCK_MAX_TXS."
  )
  var blockMaxTxs: Int?

  @Option(
    help: "Block-STM workers; 0 executes sequentially (default: one per core). Env: BRAID_EXEC_THREADS.")
  var execThreads: Int?

  @Option(help: "Chain id of the --dev chain (default 1337). Env: BRAID_CHAIN_ID.")
  var chainId: UInt64?

  @Option(
    name: .customLong("dev-key"),
    help: "Private key (hex) of an extra prefunded account eth_sendTransaction may sign for; repeatable.")
  var devKeys: [String] = []

  /// The flag, else the environment variable, else the default.
  private func setting<T: LosslessStringConvertible>(_ flag: T?, _ variable: String, _ fallback: T) throws
    -> T
  {
    if let flag { return flag }
    guard let text = ProcessInfo.processInfo.environment[variable], !text.isEmpty else { return fallback }
    guard let value = T(text) else { throw ValidationError("\(variable)=\(text) is not a valid value") }
    return value
  }

  func run() throws {
    let host = try setting(httpHost, "BRAID_HTTP_HOST", "127.0.0.1")
    let port = try setting(httpPort, "BRAID_HTTP_PORT", 8545)
    let threads = try setting(httpThreads, "BRAID_HTTP_THREADS", HTTPServerConfiguration.processorCount)
    let maxConnections = try setting(httpMaxConnections, "BRAID_HTTP_MAX_CONNECTIONS", 10_000)
    let intervalMs = try setting(blockIntervalMs, "BRAID_BLOCK_INTERVAL_MS", 200)
    let maxTxs = try setting(blockMaxTxs, "BRAID_BLOCK_MAX_TXS", 10_000)
    let exec = try setting(execThreads, "BRAID_EXEC_THREADS", HTTPServerConfiguration.processorCount)
    let genesisPath = try setting(genesis, "BRAID_GENESIS", "")
    let devFlag = dev || ["1", "true"].contains(ProcessInfo.processInfo.environment["BRAID_DEV"] ?? "")
    guard (0...65535).contains(port) else { throw ValidationError("--http-port must be 0-65535") }
    guard threads >= 1 else { throw ValidationError("--http-threads must be at least 1") }
    guard maxConnections >= 1 else { throw ValidationError("--http-max-connections must be at least 1") }
    guard intervalMs >= 1 else { throw ValidationError("--block-interval-ms must be at least 1") }
    guard maxTxs >= 1 else { throw ValidationError("--block-max-txs must be at least 1") }
    guard exec >= 0 else { throw ValidationError("--exec-threads must be 0 or more") }
    if devFlag && !genesisPath.isEmpty { throw ValidationError("--dev and --genesis exclude each other") }

    var chainGenesis: Genesis
    if genesisPath.isEmpty {
      chainGenesis = .dev(timestamp: UInt64(Date().timeIntervalSince1970))
      chainGenesis.chainId = try setting(chainId, "BRAID_CHAIN_ID", 1337)
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

    let rpcMetrics = RPCMetrics()
    let node = NodeChain(
      NodeConfiguration(
        genesis: chainGenesis,
        sequencer: SequencerConfiguration(
          blockInterval: .milliseconds(intervalMs), maxTransactions: maxTxs, execThreads: exec)),
      metrics: NodeMetrics(registry: rpcMetrics.registry))
    node.start()
    let service = RPCService(backend: node, metrics: rpcMetrics)
    let server: HTTPServer<RPCService<NodeChain>>
    do {
      server = try HTTPServer.start(
        configuration: HTTPServerConfiguration(
          host: host, port: port, threads: threads, maxConnections: maxConnections,
          onError: { printError($0) }),
        handler: service)
    } catch {
      node.stop()
      throw InputError("cannot listen on \(host):\(port): \(error)")
    }
    service.metrics.attachConnectionCount { server.openConnections }
    // Unbuffered, so a script waiting for this line sees it while the server runs.
    FileHandle.standardOutput.write(
      Data(
        ("braid: serving http://\(host):\(server.port) (chain id \(chainGenesis.chainId), \(threads) threads, "
          + "blocks every \(intervalMs) ms or \(maxTxs) txs, \(exec) exec threads)\n").utf8))

    // SIGTERM and SIGINT start a graceful shutdown: stop accepting, let the loops finish,
    // then let the sequencer finish the block in progress.
    var sources: [DispatchSourceSignal] = []
    for sig in [SIGTERM, SIGINT] {
      signal(sig, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
      source.setEventHandler { server.shutdown() }
      source.resume()
      sources.append(source)
    }
    server.wait()
    node.stop()
    withExtendedLifetime(sources) {}
    print("braid: stopped")
  }
}
