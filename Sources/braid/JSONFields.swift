/// Typed access to JSONSerialization's untyped output. Every accessor throws an `InputError`
/// naming the file and field path, so a malformed fixture ends in one readable line rather
/// than a failed cast or a force unwrap.
import BraidEVM
import BraidPrimitives
import Foundation

struct JSONObject {
  let fields: [String: Any]
  /// The file, and the key path inside it, for error messages: `file.json: test.pre.0x…`.
  let file: String
  let keyPath: String

  init(_ value: Any, file: String, keyPath: String = "") throws(InputError) {
    self.file = file
    self.keyPath = keyPath
    guard let fields = value as? [String: Any] else { throw InputError("\(Self.path(file, keyPath)): expected an object") }
    self.fields = fields
  }

  var path: String { Self.path(file, keyPath) }

  /// The key path of a member, or of an element when `key` is a subscript like `[3]`.
  func keyPath(_ key: String) -> String {
    keyPath.isEmpty || key.hasPrefix("[") ? keyPath + key : keyPath + "." + key
  }

  /// The full path of a member, as error messages show it.
  func path(_ key: String) -> String { Self.path(file, keyPath(key)) }

  private static func path(_ file: String, _ keyPath: String) -> String {
    keyPath.isEmpty ? file : "\(file): \(keyPath)"
  }

  /// Present and not `null`.
  func has(_ key: String) -> Bool {
    guard let value = fields[key] else { return false }
    return !(value is NSNull)
  }

  func value(_ key: String) throws(InputError) -> Any {
    guard let value = fields[key], !(value is NSNull) else { throw InputError("\(path(key)): missing") }
    return value
  }

  func object(_ key: String) throws(InputError) -> JSONObject {
    try JSONObject(value(key), file: file, keyPath: keyPath(key))
  }

  func array(_ key: String) throws(InputError) -> [Any] {
    guard let array = try value(key) as? [Any] else { throw InputError("\(path(key)): expected an array") }
    return array
  }

  /// The objects of an array member.
  func objects(_ key: String) throws(InputError) -> [JSONObject] {
    var out: [JSONObject] = []
    for (i, item) in try array(key).enumerated() {
      out.append(try JSONObject(item, file: file, keyPath: keyPath(key) + "[\(i)]"))
    }
    return out
  }

  func string(_ key: String) throws(InputError) -> String {
    try JSONValue.string(value(key), at: path(key))
  }

  func uint256(_ key: String) throws(InputError) -> UInt256 {
    try JSONValue.uint256(value(key), at: path(key))
  }

  func uint64(_ key: String) throws(InputError) -> UInt64 {
    try JSONValue.uint64(value(key), at: path(key))
  }

  func bytes(_ key: String) throws(InputError) -> Bytes {
    try JSONValue.bytes(value(key), at: path(key))
  }

  func address(_ key: String) throws(InputError) -> Address {
    try JSONValue.address(value(key), at: path(key))
  }

  func hash(_ key: String) throws(InputError) -> Hash32 {
    try JSONValue.hash(value(key), at: path(key))
  }
}

/// Conversions of single JSON values. Quantities may be 0x-hex or decimal strings or JSON
/// integers (the benchmark files write `type` and receipt status as integers).
enum JSONValue {
  static func string(_ value: Any, at path: String) throws(InputError) -> String {
    guard let s = value as? String else { throw InputError("\(path): expected a string") }
    return s
  }

  static func uint256(_ value: Any, at path: String) throws(InputError) -> UInt256 {
    let text: String
    if let s = value as? String {
      text = s
    } else if let n = value as? NSNumber {
      // stringValue keeps integers above 2^53 exact; a fraction or sign fails to parse below.
      text = n.stringValue
    } else {
      throw InputError("\(path): expected a number or a hex string")
    }
    do {
      return try UInt256(parsing: text)
    } catch {
      throw InputError("\(path): \(error.description)")
    }
  }

  static func uint64(_ value: Any, at path: String) throws(InputError) -> UInt64 {
    let v = try uint256(value, at: path)
    guard v.fitsUInt64 else { throw InputError("\(path): \(v) does not fit in 64 bits") }
    return v.w0
  }

  static func bytes(_ value: Any, at path: String) throws(InputError) -> Bytes {
    let s = try string(value, at: path)
    do {
      return try Hex.decode(s)
    } catch {
      throw InputError("\(path): \(error.description)")
    }
  }

  static func address(_ value: Any, at path: String) throws(InputError) -> Address {
    try address(string(value, at: path), at: path)
  }

  static func address(_ s: String, at path: String) throws(InputError) -> Address {
    do {
      return try Address(hex: s)
    } catch {
      throw InputError("\(path): invalid address '\(s.prefix(50))'")
    }
  }

  static func hash(_ value: Any, at path: String) throws(InputError) -> Hash32 {
    let s = try string(value, at: path)
    do {
      return try Hash32(hex: s)
    } catch {
      throw InputError("\(path): invalid 32-byte hash '\(s.prefix(80))'")
    }
  }
}

extension InMemoryState {
  /// The `pre` section shared by state tests and benchmark blocks:
  /// address → {balance, nonce, code, storage {slot: value}}. Zero-valued slots are dropped
  /// because an absent slot and a zero slot are the same state.
  init(json pre: JSONObject) throws(InputError) {
    var accounts: [Address: AccountState] = [:]
    accounts.reserveCapacity(pre.fields.count)
    for key in pre.fields.keys {
      let address = try JSONValue.address(key, at: pre.path(key))
      let entry = try pre.object(key)
      var storage: [UInt256: UInt256] = [:]
      if entry.has("storage") {
        let slots = try entry.object("storage")
        storage.reserveCapacity(slots.fields.count)
        for (slotKey, slotValue) in slots.fields {
          let slot = try JSONValue.uint256(slotKey, at: slots.path(slotKey))
          let value = try JSONValue.uint256(slotValue, at: slots.path(slotKey))
          if !value.isZero { storage[slot] = value }
        }
      }
      let code = entry.has("code") ? try entry.bytes("code") : []
      accounts[address] = AccountState(
        balance: entry.has("balance") ? try entry.uint256("balance") : .zero,
        nonce: entry.has("nonce") ? try entry.uint64("nonce") : 0,
        code: code.isEmpty ? .empty : Code(code),
        storage: storage)
    }
    self.init(accounts: accounts)
  }
}
