/// `braid serve`: the HTTP server with JSON-RPC and REST over an in-memory chain (every
/// transaction mined into its own block at once). A development entry point for the HTTP
/// layer's integration runs and benchmarks; the node replaces the chain behind it.
import ArgumentParser
import BraidEVM
import BraidHTTP
import BraidPrimitives
import BraidRPC
import Dispatch
import Foundation

struct ServeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Serve JSON-RPC, REST and /metrics over HTTP from an in-memory development chain.")

  @Option(help: "Address to listen on (a literal IPv4 or IPv6 address).")
  var httpHost = "127.0.0.1"

  @Option(help: "Port to listen on; 0 picks a free one.")
  var httpPort = 8545

  @Option(help: "Event loops (threads); default: one per core.")
  var httpThreads = HTTPServerConfiguration.processorCount

  @Option(help: "Open connections across all loops.")
  var httpMaxConnections = 10_000

  @Option(help: "Chain id of the development chain.")
  var chainId: UInt64 = 1337

  @Option(
    name: .customLong("dev-key"),
    help: "Private key (hex) of a prefunded account eth_sendTransaction may sign for; repeatable.")
  var devKeys: [String] = []

  func validate() throws {
    guard (0...65535).contains(httpPort) else { throw ValidationError("--http-port must be 0-65535") }
    guard httpThreads >= 1 else { throw ValidationError("--http-threads must be at least 1") }
    guard httpMaxConnections >= 1 else { throw ValidationError("--http-max-connections must be at least 1") }
  }

  func run() throws {
    var keys: [Bytes] = []
    var alloc: [Address: AccountState] = [:]
    for hex in devKeys {
      guard let key = try? Hex.decode(hex), key.count == 32, let address = TransactionSigner.address(privateKey: key) else {
        throw InputError("--dev-key: '\(hex.prefix(12))...' is not a 32-byte hex private key")
      }
      keys.append(key)
      // 10,000 ether each, as anvil and hardhat fund their dev accounts.
      alloc[address] = AccountState(balance: UInt256(10_000) &* UInt256(1_000_000_000_000_000_000))
    }
    let chain = InMemoryChain(.init(chainId: chainId, alloc: alloc, devKeys: keys))
    let service = RPCService(backend: chain)
    let server: HTTPServer<RPCService<InMemoryChain>>
    do {
      server = try HTTPServer.start(
        configuration: HTTPServerConfiguration(
          host: httpHost, port: httpPort, threads: httpThreads, maxConnections: httpMaxConnections,
          onError: { printError($0) }),
        handler: service)
    } catch {
      throw InputError("cannot listen on \(httpHost):\(httpPort): \(error)")
    }
    service.metrics.attachConnectionCount { server.openConnections }
    // Unbuffered, so a script waiting for this line sees it while the server runs.
    FileHandle.standardOutput.write(
      Data("braid: serving http://\(httpHost):\(server.port) (chain id \(chainId), \(httpThreads) threads)\n".utf8))

    // SIGTERM and SIGINT start a graceful shutdown; the main thread waits for the loops.
    var sources: [DispatchSourceSignal] = []
    for sig in [SIGTERM, SIGINT] {
      signal(sig, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
      source.setEventHandler { server.shutdown() }
      source.resume()
      sources.append(source)
    }
    server.wait()
    withExtendedLifetime(sources) {}
    print("braid: stopped")
  }
}
