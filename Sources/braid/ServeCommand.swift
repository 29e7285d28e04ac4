/// `braid serve`: the node (mempool, sequencer, chain, with `--data-dir` an LMDB store and
/// submission journal) behind the HTTP server's JSON-RPC, REST and /metrics. Every option
/// can also come from a `BRAID_*` environment variable (`--block-interval-ms` from
/// `BRAID_BLOCK_INTERVAL_MS`), as container and systemd deployments set them; a flag on
/// the command line wins.
import ArgumentParser
import BraidBlockSTM
import BraidCrypto
import BraidEVM
import BraidHTTP
import BraidNode
import BraidPrimitives
import BraidRPC
import Dispatch
import Foundation
import Logging

struct ServeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Serve JSON-RPC, REST and /metrics over HTTP from a Braid node.")

  @Option(help: "Address to listen on (a literal IPv4 or IPv6 address). Env: BRAID_HTTP_HOST.")
  var httpHost: String?

  @Option(help: "Port to listen on; 0 picks a free one. Env: BRAID_HTTP_PORT.")
  var httpPort: Int?

  @Option(help: "Event loops (threads); default: one per usable core (affinity and cgroup CPU quota counted). Env: BRAID_HTTP_THREADS.")
  var httpThreads: Int?

  @Option(help: "Open connections across all loops. Env: BRAID_HTTP_MAX_CONNECTIONS.")
  var httpMaxConnections: Int?

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
    help: "Block-STM workers; 0 executes sequentially (default: one per usable core, affinity and cgroup CPU quota counted). Env: BRAID_EXEC_THREADS.")
  var execThreads: Int?

  @Option(
    help: "trace, debug, info, notice, warning, error or critical (default info). Env: BRAID_LOG_LEVEL.")
  var logLevel: String?

  @OptionGroup var chain: ChainOptions

  func run() throws {
    let host = try environmentSetting(httpHost, "BRAID_HTTP_HOST", "127.0.0.1")
    let port = try environmentSetting(httpPort, "BRAID_HTTP_PORT", 8545)
    let threads = try environmentSetting(
      httpThreads, "BRAID_HTTP_THREADS", CPUBudget.cores)
    let maxConnections = try environmentSetting(httpMaxConnections, "BRAID_HTTP_MAX_CONNECTIONS", 10_000)
    let intervalMs = try environmentSetting(blockIntervalMs, "BRAID_BLOCK_INTERVAL_MS", 200)
    let maxTxs = try environmentSetting(blockMaxTxs, "BRAID_BLOCK_MAX_TXS", 10_000)
    let exec = try environmentSetting(
      execThreads, "BRAID_EXEC_THREADS", CPUBudget.cores)
    let levelName = try environmentSetting(logLevel, "BRAID_LOG_LEVEL", "info")
    guard let level = Logger.Level(rawValue: levelName) else {
      throw ValidationError(
        "--log-level: '\(levelName)' is not one of trace, debug, info, notice, warning, error, critical")
    }
    guard (0...65535).contains(port) else { throw ValidationError("--http-port must be 0-65535") }
    guard threads >= 1 else { throw ValidationError("--http-threads must be at least 1") }
    guard maxConnections >= 1 else { throw ValidationError("--http-max-connections must be at least 1") }
    guard intervalMs >= 1 else { throw ValidationError("--block-interval-ms must be at least 1") }
    guard maxTxs >= 1 else { throw ValidationError("--block-max-txs must be at least 1") }
    guard exec >= 0 else { throw ValidationError("--exec-threads must be 0 or more") }
    let (chainGenesis, isDev) = try chain.makeGenesis()
    let dataDirectory = try chain.dataDirectory()
    LoggingSystem.bootstrap { label in
      var handler = StreamLogHandler.standardError(label: label)
      handler.logLevel = level
      return handler
    }
    let logger = Logger(label: "braid")
    let rpcMetrics = RPCMetrics()
    let nodeConfiguration = NodeConfiguration(
      genesis: chainGenesis,
      sequencer: SequencerConfiguration(
        blockInterval: .milliseconds(intervalMs), maxTransactions: maxTxs, execThreads: exec))
    Secp256k1.prepareBatchRecovery()
    let node: NodeChain
    if dataDirectory.isEmpty {
      node = NodeChain(nodeConfiguration, metrics: NodeMetrics(registry: rpcMetrics.registry))
    } else {
      do {
        // The dev genesis is made with the current time; a reopened chain keeps its own.
        node = try NodeChain.open(
          nodeConfiguration, dataDirectory: dataDirectory, adoptStoredTimestamp: isDev,
          metrics: NodeMetrics(registry: rpcMetrics.registry))
      } catch {
        throw InputError(error.description)
      }
    }
    logger.info(
      "starting",
      metadata: [
        "chainId": "\(chainGenesis.chainId)", "head": "\(node.headNumber())",
        "dataDir": "\(dataDirectory.isEmpty ? "none (in memory)" : dataDirectory)",
        "pending": "\(node.mempool.count)",
      ])
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
    // then let the sequencer finish (and commit) the block in progress and the journal
    // write what it has queued. The store needs no flush: every LMDB commit has synced.
    var sources: [DispatchSourceSignal] = []
    for sig in [SIGTERM, SIGINT] {
      signal(sig, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
      source.setEventHandler {
        logger.info("shutting down", metadata: ["signal": "\(sig == SIGTERM ? "SIGTERM" : "SIGINT")"])
        server.shutdown()
      }
      source.resume()
      sources.append(source)
    }
    server.wait()
    node.stop()
    withExtendedLifetime(sources) {}
    logger.info("stopped", metadata: ["head": "\(node.headNumber())", "pending": "\(node.mempool.count)"])
    print("braid: stopped")
  }
}
