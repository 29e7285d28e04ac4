/// BraidRPC: the Ethereum JSON-RPC 2.0 surface (`eth_`, `net_`, `web3_`), the REST routes
/// under `/v1`, `/metrics` and the health probes, served by BraidHTTP.
///
/// Method handlers read the chain through `ChainBackend`, a small protocol: this module
/// ships `InMemoryChain` (each submitted transaction mined into its own block at once) for
/// tests and the dev server, and the node plugs in its persistent chain. JSON is parsed and
/// written by this module's own codec: the hot path (a small request in, a small response
/// out) then costs a few allocations instead of a trip through Foundation's object graph.
///
/// This file: the JSON value model.

/// A parsed JSON value. Numbers keep their literal text, so an `id` of `1.50` or
/// `12345678901234567890` is echoed back exactly as sent (JSON-RPC 2.0 §5) and nothing is
/// lost to floating point.
public enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  case number(String)
  case string(String)
  case array([JSONValue])
  case object(JSONObject)

  public var stringValue: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  public var arrayValue: [JSONValue]? {
    if case .array(let a) = self { return a }
    return nil
  }

  public var objectValue: JSONObject? {
    if case .object(let o) = self { return o }
    return nil
  }

  public var isNull: Bool {
    if case .null = self { return true }
    return false
  }

  /// A number without fraction or exponent that fits in UInt64.
  public var uint64Value: UInt64? {
    if case .number(let n) = self { return UInt64(n) }
    return nil
  }

  public static func quantity(_ v: UInt64) -> JSONValue { .string(Quantity.hex(v)) }
}

/// An object's members in document order. Request objects have a handful of members, so a
/// linear lookup beats hashing, and order is kept for output.
public struct JSONObject: Sendable, Equatable, Sequence {
  public var members: [(key: String, value: JSONValue)]

  public init(_ members: [(key: String, value: JSONValue)] = []) { self.members = members }

  public subscript(key: String) -> JSONValue? {
    get {
      for m in members where m.key == key { return m.value }
      return nil
    }
    set {
      if let i = members.firstIndex(where: { $0.key == key }) {
        if let newValue { members[i].value = newValue } else { members.remove(at: i) }
      } else if let newValue {
        members.append((key, newValue))
      }
    }
  }

  public func contains(_ key: String) -> Bool { members.contains { $0.key == key } }

  public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> { members.makeIterator() }

  public static func == (a: JSONObject, b: JSONObject) -> Bool {
    a.members.count == b.members.count && zip(a.members, b.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
  }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByNilLiteral,
  ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByIntegerLiteral
{
  public init(stringLiteral value: String) { self = .string(value) }
  public init(booleanLiteral value: Bool) { self = .bool(value) }
  public init(nilLiteral: ()) { self = .null }
  public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
  public init(dictionaryLiteral elements: (String, JSONValue)...) {
    self = .object(JSONObject(elements.map { (key: $0.0, value: $0.1) }))
  }
  public init(integerLiteral value: Int) { self = .number(String(value)) }
}
