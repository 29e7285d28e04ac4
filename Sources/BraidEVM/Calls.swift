/// Running message calls and contract creation as nested frames, with the snapshot and
/// revert discipline around each.
import BraidPrimitives

extension Host {
  /// Runs a call frame. A call that cannot start (depth limit, insufficient balance)
  /// returns all its gas with status `.revert` and no output.
  func call(_ kind: CallKind, _ msg: Message, codeAddress: Address) -> FrameResult {
    if msg.depth > Gas.callDepthLimit { return FrameResult(status: .revert, gasLeft: msg.gas, output: []) }
    if (kind == .call || kind == .callCode) && !msg.value.isZero && balance(msg.caller) < msg.value {
      return FrameResult(status: .revert, gasLeft: msg.gas, output: [])
    }
    let snap = snapshot()
    switch kind {
    case .call: _ = transfer(from: msg.caller, to: msg.address, value: msg.value)
    // go-ethereum touches the target of a STATICCALL (a zero-value credit).
    case .staticCall: touch(index(msg.address))
    case .callCode, .delegateCall: break
    }
    var r: FrameResult
    if let p = Precompiles.id(codeAddress) {
      r = Precompiles.run(p, input: msg.input, gas: msg.gas)
    } else {
      let c = code(codeAddress)
      if c.isEmpty { return FrameResult(status: .success, gasLeft: msg.gas, output: []) }
      var interp = Interpreter(host: self, code: c, msg: msg)
      r = interp.run()
    }
    if r.status != .success { revert(to: snap) }
    return r
  }

  /// CREATE/CREATE2 from an opcode: the checks that leave the caller's nonce alone, then
  /// the nonce bump and address derivation, then the creation frame.
  func createFromOpcode(
    caller: Address, value: UInt256, initcode: Bytes, gas: Int, depth: Int, salt: UInt256?
  ) -> (FrameResult, Address?) {
    let notRun = FrameResult(status: .revert, gasLeft: gas, output: [])
    if depth > Gas.callDepthLimit { return (notRun, nil) }
    let ci = index(caller)
    if balance(ci) < value { return (notRun, nil) }
    let nonce = nonce(ci)
    if nonce == .max { return (notRun, nil) }
    setNonce(ci, nonce + 1)
    let address: Address
    if let salt {
      address = Host.create2Address(caller, salt: salt, initcodeHash: Keccak256.hash(initcode))
    } else {
      address = Host.createAddress(caller, nonce: nonce)
    }
    let r = runCreate(caller: caller, address: address, value: value, initcode: initcode, gas: gas, depth: depth)
    return (r, r.status == .success ? address : nil)
  }

  /// The creation frame proper, shared with create transactions. The caller's nonce has
  /// already been bumped.
  func runCreate(caller: Address, address: Address, value: UInt256, initcode: Bytes, gas: Int, depth: Int) -> FrameResult {
    _ = warmAccount(address)
    let ai = index(address)
    // EIP-684 / EIP-7610: an address with a nonce, code or storage cannot be created.
    if nonce(ai) != 0 || !code(ai).isEmpty || hasStorage(ai) {
      return .failed()
    }
    let snap = snapshot()
    markCreated(ai)
    setNonce(ai, 1)
    _ = transfer(from: caller, to: address, value: value)
    let msg = Message(caller: caller, address: address, value: value, input: [], gas: gas, depth: depth, isStatic: false)
    var r: FrameResult
    if initcode.isEmpty {
      r = FrameResult(status: .success, gasLeft: gas, output: [])
    } else {
      var interp = Interpreter(host: self, code: Code(bytes: initcode, hash: .zero), msg: msg)
      r = interp.run()
    }
    if r.status == .success {
      let out = r.output
      let deposit = Gas.codeDeposit * out.count
      // EIP-170 size limit, EIP-3541 0xEF prefix, then the code-deposit charge.
      if out.count > Gas.maxCodeSize || out.first == 0xef || r.gasLeft < deposit {
        r = .failed()
      } else {
        r.gasLeft -= deposit
        setCode(ai, Code(out))
        r.output = []
      }
    }
    if r.status != .success { revert(to: snap) }
    return r
  }

  static func createAddress(_ sender: Address, nonce: UInt64) -> Address {
    var nonceBytes: Bytes
    if nonce == 0 {
      nonceBytes = [0x80]
    } else if nonce < 0x80 {
      nonceBytes = [UInt8(nonce)]
    } else {
      let be = UInt256(nonce).minimalBigEndianBytes
      nonceBytes = [0x80 + UInt8(be.count)] + be
    }
    var rlp: Bytes = [0xc0 + UInt8(21 + nonceBytes.count), 0x94]
    rlp += sender.bytes
    rlp += nonceBytes
    return Address(Keccak256.hash(rlp).bytes[12...])
  }

  static func create2Address(_ sender: Address, salt: UInt256, initcodeHash: Hash32) -> Address {
    var buf: Bytes = [0xff]
    buf.reserveCapacity(85)
    buf += sender.bytes
    buf += salt.bigEndianBytes
    buf += initcodeHash.bytes
    return Address(Keccak256.hash(buf).bytes[12...])
  }
}
