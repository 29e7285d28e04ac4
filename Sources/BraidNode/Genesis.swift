/// The chain's first block: its configuration and the prefunded accounts, read from a
/// geth-style `genesis.json`, a benchmark block file (`pre` + `env`), or made for `--dev`.
import BraidEVM
import BraidPrimitives
import BraidRPC

public struct Genesis: Sendable {
  public var chainId: UInt64
  public var gasLimit: UInt64
  /// The genesis header's base fee; block 1's follows from it by EIP-1559.
  public var baseFee: UInt256
  public var coinbase: Address
  public var timestamp: UInt64
  public var alloc: [Address: AccountState]
  /// Keys `eth_sendTransaction` may sign with (dev chains only).
  public var devKeys: [Bytes]
  /// Block 1's base fee instead of the EIP-1559 rule's. A benchmark block's transactions
  /// were made for its env's base fee; with it, replaying them in one block gives the
  /// file's expected state root.
  public var firstBlockBaseFee: UInt256?

  public init(
    chainId: UInt64, gasLimit: UInt64 = 30_000_000, baseFee: UInt256 = 1_000_000_000,
    coinbase: Address = .zero,
    timestamp: UInt64 = 0, alloc: [Address: AccountState] = [:], devKeys: [Bytes] = []
  ) {
    self.chainId = chainId
    self.gasLimit = gasLimit
    self.baseFee = baseFee
    self.coinbase = coinbase
    self.timestamp = timestamp
    self.alloc = alloc
    self.devKeys = devKeys
    self.firstBlockBaseFee = nil
  }

  public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
  }

  /// `--dev`: chain id 1337 and the ten accounts of the development mnemonic with 10,000
  /// ether each, as anvil and hardhat start, so tutorials written for them work unchanged.
  public static func dev(accounts: Int = 10, timestamp: UInt64 = 0) -> Genesis {
    let keys = DevAccounts.privateKeys(mnemonic: DevAccounts.developmentMnemonic, count: accounts)
    var alloc: [Address: AccountState] = [:]
    for key in keys {
      if let address = TransactionSigner.address(privateKey: key) {
        alloc[address] = AccountState(balance: UInt256(10_000) &* weiPerEther)
      }
    }
    return Genesis(chainId: 1337, timestamp: timestamp, alloc: alloc, devKeys: keys)
  }

  /// Either file format, told apart by its keys: a benchmark block has `pre` and `env`.
  public static func parse(_ bytes: Bytes) throws(ParseError) -> Genesis {
    let json: JSONValue
    do {
      json = try JSONParser.parse(bytes, maxDepth: 16)
    } catch {
      throw ParseError("genesis: \(error)")
    }
    guard let root = json.objectValue else { throw ParseError("genesis: not a JSON object") }
    if root.contains("pre") && root.contains("env") { return try parseBenchBlock(root) }
    return try parseGeth(root)
  }

  /// geth's format: `config.chainId`, `alloc` keyed by address (with or without 0x), and
  /// header fields as hex strings or decimal numbers.
  static func parseGeth(_ root: JSONObject) throws(ParseError) -> Genesis {
    guard let config = root["config"]?.objectValue, let chainIdValue = config["chainId"] else {
      throw ParseError("genesis: config.chainId is missing")
    }
    var g = Genesis(chainId: try uint64(chainIdValue, "config.chainId"))
    if let v = root["gasLimit"] { g.gasLimit = try uint64(v, "gasLimit") }
    if let v = root["baseFeePerGas"] { g.baseFee = try uint256(v, "baseFeePerGas") }
    if let v = root["coinbase"] { g.coinbase = try address(v, "coinbase") }
    if let v = root["timestamp"] { g.timestamp = try uint64(v, "timestamp") }
    if let alloc = root["alloc"] {
      guard let object = alloc.objectValue else { throw ParseError("genesis: alloc is not an object") }
      g.alloc = try accounts(object, "alloc")
    }
    return g
  }

  /// A benchmark block: its `pre` state is the genesis state and its `env` the chain's
  /// parameters, so the block's signed transactions can be replayed over JSON-RPC.
  static func parseBenchBlock(_ root: JSONObject) throws(ParseError) -> Genesis {
    guard let env = root["env"]?.objectValue, let pre = root["pre"]?.objectValue else {
      throw ParseError("genesis: env or pre is not an object")
    }
    func field(_ name: String) throws(ParseError) -> JSONValue {
      guard let v = env[name] else { throw ParseError("genesis: env.\(name) is missing") }
      return v
    }
    var g = Genesis(
      chainId: try uint64(field("chainId"), "env.chainId"),
      gasLimit: try uint64(field("gasLimit"), "env.gasLimit"),
      baseFee: try uint256(field("baseFee"), "env.baseFee"),
      coinbase: try address(field("coinbase"), "env.coinbase"),
      timestamp: try uint64(field("timestamp"), "env.timestamp") &- 1, alloc: try accounts(pre, "pre"))
    g.firstBlockBaseFee = g.baseFee
    return g
  }

  private typealias Alloc = [Address: AccountState]

  private static func accounts(_ object: JSONObject, _ path: String) throws(ParseError) -> Alloc {
    var out: Alloc = [:]
    for (key, value) in object {
      let at = "\(path).\(key)"
      guard let entry = value.objectValue else { throw ParseError("genesis: \(at) is not an object") }
      let addr = try address(.string(key.hasPrefix("0x") ? key : "0x" + key), at)
      var account = AccountState()
      if let v = entry["balance"] { account.balance = try uint256(v, at + ".balance") }
      if let v = entry["nonce"] { account.nonce = try uint64(v, at + ".nonce") }
      if let v = entry["code"] {
        let code = try bytes(v, at + ".code")
        if !code.isEmpty { account.code = Code(code) }
      }
      if let slots = entry["storage"]?.objectValue {
        for (slotKey, slotValue) in slots {
          let slot = try uint256(.string(slotKey), "\(at).storage.\(slotKey)")
          let word = try uint256(slotValue, "\(at).storage.\(slotKey)")
          if !word.isZero { account.storage[slot] = word }
        }
      }
      out[addr] = account
    }
    return out
  }

  // Quantities appear as 0x-hex strings, decimal strings, or JSON numbers.
  private static func uint256(_ v: JSONValue, _ at: String) throws(ParseError) -> UInt256 {
    let text: String
    switch v {
    case .string(let s): text = s
    case .number(let n): text = n
    default: throw ParseError("genesis: \(at) is not a quantity")
    }
    do {
      return try UInt256(parsing: text)
    } catch {
      throw ParseError("genesis: \(at): \(error)")
    }
  }

  private static func uint64(_ v: JSONValue, _ at: String) throws(ParseError) -> UInt64 {
    let word = try uint256(v, at)
    guard word.fitsUInt64 else { throw ParseError("genesis: \(at) does not fit in 64 bits") }
    return word.w0
  }

  private static func bytes(_ v: JSONValue, _ at: String) throws(ParseError) -> Bytes {
    guard let s = v.stringValue else { throw ParseError("genesis: \(at) is not a hex string") }
    do {
      return try Hex.decode(s)
    } catch {
      throw ParseError("genesis: \(at): \(error)")
    }
  }

  private static func address(_ v: JSONValue, _ at: String) throws(ParseError) -> Address {
    guard let s = v.stringValue else { throw ParseError("genesis: \(at) is not an address") }
    do {
      return try Address(hex: s)
    } catch {
      throw ParseError("genesis: \(at): \(error)")
    }
  }
}
