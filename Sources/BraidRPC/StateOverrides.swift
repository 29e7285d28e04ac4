/// The state a simulated call reads, and geth's state override set (the third parameter
/// of eth_call and eth_estimateGas): per account, a balance, nonce or code to use instead
/// of the stored one, and either its whole storage (`state`) or some slots (`stateDiff`).
/// Simulation tools lean on it: quoting a swap for an account that holds no tokens yet,
/// running a contract that is not deployed, a multicall with a faked balance.
import BraidEVM
import BraidPrimitives

struct AccountOverride: Sendable {
  var balance: UInt256?
  var nonce: UInt64?
  var code: Code?
  /// `state`: the account's storage is exactly these slots; every other slot reads zero.
  var storage: [UInt256: UInt256]?
  /// `stateDiff`: these slots replaced, the others as stored.
  var storageDiff: [UInt256: UInt256] = [:]
}

typealias StateOverrides = [Address: AccountOverride]

extension HexParam {
  /// geth's `StateOverride` JSON: an object from address to override. Fields geth knows
  /// but Braid does not apply (`movePrecompileToAddress`) are refused rather than
  /// silently ignored, so that a simulation never runs on a state other than the one asked.
  static func stateOverrides(_ v: JSONValue) throws(ParamError) -> StateOverrides {
    guard case .object(let accounts) = v else {
      throw "json: cannot unmarshal \(kind(v)) into Go value of type ethapi.StateOverride"
    }
    var overrides: StateOverrides = [:]
    for (key, value) in accounts {
      let address = try HexParam.address(.string(key))
      guard case .object(let fields) = value else {
        throw "json: cannot unmarshal \(kind(value)) into Go value of type ethapi.OverrideAccount"
      }
      var account = AccountOverride()
      for (field, fieldValue) in fields where !fieldValue.isNull {
        switch field {
        case "balance": account.balance = try HexParam.quantity(fieldValue)
        case "nonce": account.nonce = try HexParam.uint64(fieldValue)
        case "code": account.code = Code(try HexParam.data(fieldValue))
        case "state": account.storage = try slots(fieldValue)
        case "stateDiff": account.storageDiff = try slots(fieldValue)
        default: throw "account \(address) override: unsupported field \(field)"
        }
      }
      if account.storage != nil && fields["stateDiff"].map({ !$0.isNull }) == true {
        throw "account \(address) has both 'state' and 'stateDiff'"
      }
      overrides[address] = account
    }
    return overrides
  }

  private static func slots(_ v: JSONValue) throws(ParamError) -> [UInt256: UInt256] {
    guard case .object(let entries) = v else {
      throw "json: cannot unmarshal \(kind(v)) into Go value of type map[common.Hash]common.Hash"
    }
    var out: [UInt256: UInt256] = [:]
    for (slot, value) in entries { out[try HexParam.hash(.string(slot)).word] = try HexParam.hash(value).word }
    return out
  }
}

/// The state a simulated call reads: the block's state with the overrides applied, and
/// the sender's code hidden so a contract address can be simulated as the caller (geth
/// skips EIP-3607 for calls the same way).
struct SimulationState<S: StateReader>: StateReader {
  let base: S
  let sender: Address
  let overrides: StateOverrides

  func balance(of address: Address) -> UInt256 {
    if !overrides.isEmpty, let b = overrides[address]?.balance { return b }
    return base.balance(of: address)
  }

  func nonce(of address: Address) -> UInt64 {
    if !overrides.isEmpty, let n = overrides[address]?.nonce { return n }
    return base.nonce(of: address)
  }

  func code(of address: Address) -> Code {
    if address == sender { return .empty }
    if !overrides.isEmpty, let c = overrides[address]?.code { return c }
    return base.code(of: address)
  }

  func storage(of address: Address, slot: UInt256) -> UInt256 {
    if !overrides.isEmpty, let o = overrides[address] {
      if let whole = o.storage { return whole[slot] ?? .zero }
      if let v = o.storageDiff[slot] { return v }
    }
    return base.storage(of: address, slot: slot)
  }

  /// With `stateDiff`, an account whose stored slots the diff all zeroes still counts as
  /// having storage; only a create at that very address could tell.
  func hasStorage(_ address: Address) -> Bool {
    if !overrides.isEmpty, let o = overrides[address] {
      if let whole = o.storage { return whole.values.contains { !$0.isZero } }
      if o.storageDiff.values.contains(where: { !$0.isZero }) { return true }
    }
    return base.hasStorage(address)
  }

  func blockHash(number: UInt64) -> Hash32 { base.blockHash(number: number) }
}
