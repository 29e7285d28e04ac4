/// Decoding method parameters with the Ethereum JSON-RPC spec's rules and geth's error
/// wording: QUANTITY must be `0x`-prefixed hex without leading zeros, DATA must have an
/// even number of digits, addresses and hashes their exact length; errors read
/// `invalid argument 1: hex string without 0x prefix`.
import BraidEVM
import BraidPrimitives

struct Params {
  let values: [JSONValue]

  /// Positional parameters. Absent or null means none; an object is not accepted, as in
  /// geth, because every eth_ method is positional.
  init(_ params: JSONValue?) throws(RPCError) {
    switch params {
    case nil, .null?: values = []
    case .array(let a)?: values = a
    default: throw .invalidParams("non-array args")
    }
  }

  /// Checks the count; trailing optional parameters may be absent or null.
  func expect(required: Int, max: Int) throws(RPCError) {
    if values.count > max { throw .invalidParams("too many arguments, want at most \(max)") }
    for i in 0..<required where i >= values.count || values[i].isNull {
      throw .invalidParams("missing value for required argument \(i)")
    }
  }

  /// The parameter at `i`, nil when absent or null.
  subscript(i: Int) -> JSONValue? {
    guard i < values.count, !values[i].isNull else { return nil }
    return values[i]
  }

  func address(_ i: Int) throws(RPCError) -> Address {
    try wrap(i) { () throws(ParamError) in try HexParam.address(values[i]) }
  }

  func hash(_ i: Int) throws(RPCError) -> Hash32 {
    try wrap(i) { () throws(ParamError) in try HexParam.hash(values[i]) }
  }

  func data(_ i: Int) throws(RPCError) -> Bytes {
    try wrap(i) { () throws(ParamError) in try HexParam.data(values[i]) }
  }

  func quantity(_ i: Int) throws(RPCError) -> UInt256 {
    try wrap(i) { () throws(ParamError) in try HexParam.quantity(values[i]) }
  }

  func uint64(_ i: Int) throws(RPCError) -> UInt64 {
    try wrap(i) { () throws(ParamError) in try HexParam.uint64(values[i]) }
  }

  func bool(_ i: Int) throws(RPCError) -> Bool {
    guard case .bool(let b)? = self[i] else {
      throw .invalidArgument(i, "json: cannot unmarshal \(HexParam.kind(values[i])) into Go value of type bool")
    }
    return b
  }

  /// A block parameter: tag, number, hash, or an EIP-1898 object. Absent means `latest`.
  func block(_ i: Int) throws(RPCError) -> BlockSelector {
    guard let v = self[i] else { return .tag(.latest) }
    return try wrap(i) { () throws(ParamError) in try HexParam.blockSelector(v) }
  }

  /// eth_call's and eth_estimateGas's optional state override set; empty when absent.
  func stateOverrides(_ i: Int) throws(RPCError) -> StateOverrides {
    guard let v = self[i] else { return [:] }
    return try wrap(i) { () throws(ParamError) in try HexParam.stateOverrides(v) }
  }

  func callRequest(_ i: Int) throws(RPCError) -> CallRequest {
    guard let v = self[i] else { throw .invalidParams("missing value for required argument \(i)") }
    return try wrap(i) { () throws(ParamError) in try CallRequest(json: v) }
  }

  private func wrap<T>(_ i: Int, _ body: () throws(ParamError) -> T) throws(RPCError) -> T {
    do {
      return try body()
    } catch {
      throw .invalidArgument(i, error.message)
    }
  }
}

/// A parameter decoding failure, in geth's words; `Params` prefixes the argument index.
struct ParamError: Error, ExpressibleByStringInterpolation {
  let message: String
  init(stringLiteral value: String) { message = value }
}

/// The hexutil rules, each failure a geth message.
enum HexParam {
  static func kind(_ v: JSONValue) -> String {
    switch v {
    case .null: return "null"
    case .bool: return "bool"
    case .number: return "number"
    case .string: return "string"
    case .array: return "array"
    case .object: return "object"
    }
  }

  /// The digits after `0x`.
  static func digits(_ v: JSONValue, type: String) throws(ParamError) -> Substring.UTF8View {
    guard case .string(let s) = v else { throw "json: cannot unmarshal non-string into Go value of type \(type)" }
    if s.isEmpty { throw "empty hex string" }
    let u = s.utf8
    guard u.count >= 2, u.first == UInt8(ascii: "0"), u[u.index(after: u.startIndex)] | 0x20 == UInt8(ascii: "x") else {
      throw "hex string without 0x prefix"
    }
    return s.dropFirst(2).utf8
  }

  static func data(_ v: JSONValue) throws(ParamError) -> Bytes {
    let d = try digits(v, type: "hexutil.Bytes")
    if d.count % 2 != 0 { throw "hex string of odd length" }
    // Straight over the string's bytes: a raw transaction is hundreds of digits, and
    // stepping a UTF-8 view index by index cost more than the rest of the parameter work.
    var valid = true
    let direct: Bytes? = d.withContiguousStorageIfAvailable { src in
      nibbleTable.withUnsafeBufferPointer { table in
        Bytes(unsafeUninitializedCapacity: src.count / 2) { dst, count in
          var i = 0
          while i < src.count {
            let hi = table[Int(src[i])]
            let lo = table[Int(src[i &+ 1])]
            guard hi | lo < 16 else {
              valid = false
              break
            }
            dst[i >> 1] = hi << 4 | lo
            i &+= 2
          }
          count = i >> 1
        }
      }
    }
    if let direct {
      guard valid else { throw "invalid hex string" }
      return direct
    }
    var out = Bytes()
    out.reserveCapacity(d.count / 2)
    var high: UInt8? = nil
    for c in d {
      guard let n = nibble(c) else { throw "invalid hex string" }
      if let h = high {
        out.append(h << 4 | n)
        high = nil
      } else {
        high = n
      }
    }
    return out
  }

  static func fixed(_ v: JSONValue, count: Int, type: String) throws(ParamError) -> Bytes {
    let d = try digits(v, type: type)
    if d.count != count * 2 { throw "hex string has length \(d.count), want \(count * 2) for \(type)" }
    return try data(v)
  }

  static func address(_ v: JSONValue) throws(ParamError) -> Address {
    Address(try fixed(v, count: 20, type: "common.Address"))
  }

  static func hash(_ v: JSONValue) throws(ParamError) -> Hash32 {
    Hash32(try fixed(v, count: 32, type: "common.Hash"))
  }

  static func quantity(_ v: JSONValue) throws(ParamError) -> UInt256 {
    let d = try digits(v, type: "*hexutil.Big")
    if d.isEmpty { throw "hex string \"0x\"" }
    if d.count > 1 && d.first == UInt8(ascii: "0") { throw "hex number with leading zero digits" }
    if d.count > 64 { throw "hex number > 256 bits" }
    var value = UInt256.zero
    for c in d {
      guard let n = nibble(c) else { throw "invalid hex string" }
      value = value << 4 | UInt256(UInt64(n))
    }
    return value
  }

  static func uint64(_ v: JSONValue) throws(ParamError) -> UInt64 {
    let d = try digits(v, type: "hexutil.Uint64")
    if d.isEmpty { throw "hex string \"0x\"" }
    if d.count > 1 && d.first == UInt8(ascii: "0") { throw "hex number with leading zero digits" }
    if d.count > 16 { throw "hex number > 64 bits" }
    var value: UInt64 = 0
    for c in d {
      guard let n = nibble(c) else { throw "invalid hex string" }
      value = value << 4 | UInt64(n)
    }
    return value
  }

  static func blockTag(_ v: JSONValue) throws(ParamError) -> BlockTag {
    if case .string(let s) = v {
      switch s {
      case "latest": return .latest
      case "pending": return .pending
      case "earliest": return .earliest
      case "safe": return .safe
      case "finalized": return .finalized
      default: break
      }
    }
    let n = try uint64(v)
    if n > UInt64(Int64.max) { throw "block number larger than int64" }
    return .number(n)
  }

  /// EIP-1898: `{"blockNumber": ...}` or `{"blockHash": ..., "requireCanonical": ...}`; a
  /// bare 32-byte hash is accepted as geth does.
  static func blockSelector(_ v: JSONValue) throws(ParamError) -> BlockSelector {
    switch v {
    case .object(let o):
      let number = o["blockNumber"], hash = o["blockHash"]
      if number != nil && hash != nil { throw "cannot specify both BlockHash and BlockNumber, choose one or the other" }
      if let hash { return .hash(try self.hash(hash)) }
      if let number { return .tag(try blockTag(number)) }
      throw "invalid block number or hash"
    case .string(let s) where s.utf8.count == 66:
      return .hash(try hash(v))
    default:
      return .tag(try blockTag(v))
    }
  }

  static func nibble(_ c: UInt8) -> UInt8? {
    switch c {
    case 0x30...0x39: return c - 0x30
    case 0x41...0x46: return c - 0x37
    case 0x61...0x66: return c - 0x57
    default: return nil
    }
  }
}

/// The transaction object of eth_call, eth_estimateGas and eth_sendTransaction.
struct CallRequest {
  var from: Address?
  var to: Address?
  var gas: UInt64?
  var gasPrice: UInt256?
  var maxFeePerGas: UInt256?
  var maxPriorityFeePerGas: UInt256?
  var value: UInt256?
  var data: Bytes?
  var nonce: UInt64?
  var accessList: [AccessListEntry]?
  var type: UInt8?

  init(json: JSONValue) throws(ParamError) {
    guard case .object(let o) = json else {
      throw "json: cannot unmarshal \(HexParam.kind(json)) into Go value of type ethapi.TransactionArgs"
    }
    func field<T>(_ key: String, _ decode: (JSONValue) throws(ParamError) -> T) throws(ParamError) -> T? {
      guard let v = o[key], !v.isNull else { return nil }
      return try decode(v)
    }
    from = try field("from", HexParam.address)
    to = try field("to", HexParam.address)
    gas = try field("gas", HexParam.uint64)
    gasPrice = try field("gasPrice", HexParam.quantity)
    maxFeePerGas = try field("maxFeePerGas", HexParam.quantity)
    maxPriorityFeePerGas = try field("maxPriorityFeePerGas", HexParam.quantity)
    value = try field("value", HexParam.quantity)
    nonce = try field("nonce", HexParam.uint64)
    let input = try field("input", HexParam.data)
    let data = try field("data", HexParam.data)
    if let input, let data, input != data {
      throw #"both "data" and "input" are set and not equal. Please use "input" to pass transaction call data"#
    }
    self.data = input ?? data
    if let t = try field("type", HexParam.uint64) {
      guard t <= 0xFF else { throw "hex number > 8 bits" }
      type = UInt8(t)
    }
    accessList = try field("accessList") { (v) throws(ParamError) in try Self.accessList(v) }
    if gasPrice != nil && (maxFeePerGas != nil || maxPriorityFeePerGas != nil) {
      throw "both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified"
    }
  }

  static func accessList(_ v: JSONValue) throws(ParamError) -> [AccessListEntry] {
    guard case .array(let entries) = v else { throw "json: cannot unmarshal \(HexParam.kind(v)) into Go value of type types.AccessList" }
    var out: [AccessListEntry] = []
    for e in entries {
      guard case .object(let o) = e, let a = o["address"] else { throw "invalid access list entry" }
      var keys: [UInt256] = []
      if case .array(let ks)? = o["storageKeys"] {
        for k in ks { keys.append(try HexParam.hash(k).word) }
      }
      out.append(AccessListEntry(address: try HexParam.address(a), storageKeys: keys))
    }
    return out
  }
}

/// Each byte's value as a hex digit, 0xFF for bytes that are not one.
private let nibbleTable: [UInt8] = (0...255).map { HexParam.nibble(UInt8($0)) ?? 0xFF }
