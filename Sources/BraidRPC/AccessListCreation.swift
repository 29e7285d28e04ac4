/// eth_createAccessList: the EIP-2930 access list a transaction would want, found the way
/// geth finds it. The call runs against a recording view of the state; every account and
/// storage slot it reads (in reverted frames too) goes on the list, except the sender, the
/// recipient or created contract, the precompiles and the coinbase, which are warm anyway
/// (an account of those whose slots were read is listed with its slots). A list changes
/// the gas, and the gas can change the path, so the call runs again with the list until
/// the list stops growing.
import BraidEVM
import BraidPrimitives

/// What one run read. A class: the EVM's state reader is a value, copied into the host,
/// and every copy must record into the same place. Used on one thread, within one call.
final class AccessLog {
  var accounts: Set<Address> = []
  var slots: [Address: Set<UInt256>] = [:]
}

/// `base`, recording each account and slot read.
struct RecordingState<S: StateReader>: StateReader {
  let base: S
  let log: AccessLog

  func balance(of address: Address) -> UInt256 {
    log.accounts.insert(address)
    return base.balance(of: address)
  }

  func nonce(of address: Address) -> UInt64 {
    log.accounts.insert(address)
    return base.nonce(of: address)
  }

  func code(of address: Address) -> Code {
    log.accounts.insert(address)
    return base.code(of: address)
  }

  func storage(of address: Address, slot: UInt256) -> UInt256 {
    log.slots[address, default: []].insert(slot)
    return base.storage(of: address, slot: slot)
  }

  func hasStorage(_ address: Address) -> Bool { base.hasStorage(address) }
  func blockHash(number: UInt64) -> Hash32 { base.blockHash(number: number) }
}

extension CallExecution {
  /// The list, and the result of the last run (made with that list).
  func createAccessList(_ request: CallRequest) -> Result<([AccessListEntry], ExecutionResult), RPCError> {
    let sender = request.from ?? .zero
    let nonce = SimulationState(base: state, sender: sender, overrides: overrides).nonce(of: sender)
    let recipient = request.to ?? EVM.createAddress(sender: sender, nonce: nonce)
    let excluded: Set<Address> = [sender, recipient, block.coinbase]
    var accounts: Set<Address> = []
    var slots: [Address: Set<UInt256>] = [:]
    for entry in request.accessList ?? [] {
      if !excluded.contains(entry.address) && !EVM.isPrecompile(entry.address) {
        accounts.insert(entry.address)
      }
      if !entry.storageKeys.isEmpty { slots[entry.address, default: []].formUnion(entry.storageKeys) }
    }
    var list = Self.accessList(accounts, slots)
    // Each round can only add to the list, and only what the call can reach, so it ends;
    // the bound is a guard against a call whose reads change with every list.
    for _ in 0..<16 {
      var attempt = request
      attempt.accessList = list
      let log = AccessLog()
      switch run(attempt, gas: min(request.gas ?? gasCap, gasCap), recordingInto: log) {
      case .failure(let e):
        return .failure(e)
      case .success(let result):
        for a in log.accounts where !excluded.contains(a) && !EVM.isPrecompile(a) { accounts.insert(a) }
        for (a, keys) in log.slots { slots[a, default: []].formUnion(keys) }
        let next = Self.accessList(accounts, slots)
        if next == list { return .success((list, result)) }
        list = next
      }
    }
    return .failure(.server("access list did not settle"))
  }

  /// In address order, each account's slots in order, as geth lists them.
  static func accessList(_ accounts: Set<Address>, _ slots: [Address: Set<UInt256>]) -> [AccessListEntry] {
    accounts.union(slots.keys).sorted().map { address in
      AccessListEntry(address: address, storageKeys: (slots[address] ?? []).sorted())
    }
  }

}

extension EthAPI {
  func createAccessList(_ p: Params) throws(RPCError) -> CallOutcome {
    try p.expect(required: 1, max: 2)
    let request = try p.callRequest(0)
    let block = try resolve(p.block(1))
    switch try callExecution(at: block).createAccessList(request) {
    case .failure(let e):
      return .failure(e)
    case .success(let (list, result)):
      var o = JSONObject([
        (
          "accessList",
          .array(
            list.map { entry in
              .object(
                JSONObject([
                  ("address", .address(entry.address)),
                  ("storageKeys", .array(entry.storageKeys.map { .hash(Hash32(word: $0)) })),
                ]))
            })
        ),
        ("gasUsed", .quantity(result.gasUsed)),
      ])
      if !result.success {
        let gas = min(request.gas ?? configuration.gasCap, configuration.gasCap)
        o["error"] = .string(CallExecution<Backend.State>.failure(result, gasLimit: gas).message)
      }
      return .value(.object(o))
    }
  }
}
