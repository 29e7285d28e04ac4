/// System instructions: the CALL family (EIP-150 63/64 rule, EIP-2929 access costs),
/// CREATE/CREATE2 (EIP-3860 initcode limits) and SELFDESTRUCT (EIP-6780).
import BraidPrimitives

enum CallKind {
  case call, callCode, delegateCall, staticCall
}

extension Interpreter {
  mutating func call(_ kind: CallKind) {
    let gasArg = pop()
    let to = Address(word: pop())
    let value = (kind == .call || kind == .callCode) ? pop() : UInt256.zero
    let inOffset = pop(), inSize = pop(), outOffset = pop(), outSize = pop()
    if kind == .call && msg.isStatic && !value.isZero { return fail() }
    guard let inO = memoryRegion(inOffset, inSize), let outO = memoryRegion(outOffset, outSize) else { return }
    var cost = host.warmAccount(to) ? Gas.coldAccountAccess : Gas.warmAccess
    if !value.isZero {
      cost += Gas.callValue
      if kind == .call && host.isEmpty(host.index(to)) { cost += Gas.newAccount }
    }
    guard charge(cost) else { return }
    let available = gas - gas / 64
    var callGas = gasArg.asInt.map { min($0, available) } ?? available
    gas -= callGas
    if !value.isZero { callGas += Gas.callStipend }

    let input = memory.bytes(inO, inSize.clampedInt)
    var child: Message
    switch kind {
    case .call:
      child = Message(caller: msg.address, address: to, value: value, input: input, gas: callGas, depth: msg.depth + 1, isStatic: msg.isStatic)
    case .callCode:
      child = Message(caller: msg.address, address: msg.address, value: value, input: input, gas: callGas, depth: msg.depth + 1, isStatic: msg.isStatic)
    case .delegateCall:
      child = Message(caller: msg.caller, address: msg.address, value: msg.value, input: input, gas: callGas, depth: msg.depth + 1, isStatic: msg.isStatic)
    case .staticCall:
      child = Message(caller: msg.address, address: to, value: .zero, input: input, gas: callGas, depth: msg.depth + 1, isStatic: true)
    }
    let r = host.call(kind, child, codeAddress: to)
    gas += r.gasLeft
    returnData = r.output
    let n = min(outSize.clampedInt, r.output.count)
    if n > 0 {
      r.output.withUnsafeBytes { memory.copyPadded(to: outO, from: $0, srcOffset: 0, count: n) }
    }
    push(r.status == .success ? .one : .zero)
    pc &+= 1
  }

  mutating func create(isCreate2: Bool) {
    if msg.isStatic { return fail() }
    let value = pop(), offset = pop(), size = pop()
    let salt = isCreate2 ? pop() : UInt256.zero
    guard let o = memoryRegion(offset, size) else { return }
    let s = size.clampedInt
    if s > Gas.maxInitcodeSize { return fail() }
    var cost = Gas.initcodeWord * Gas.words(s)
    if isCreate2 { cost += Gas.keccakWord * Gas.words(s) }
    guard charge(cost) else { return }
    let initcode = memory.bytes(o, s)
    let callGas = gas - gas / 64
    gas -= callGas
    let (r, address) = host.createFromOpcode(
      caller: msg.address, value: value, initcode: initcode, gas: callGas, depth: msg.depth + 1,
      salt: isCreate2 ? salt : nil)
    gas += r.gasLeft
    returnData = r.status == .revert ? r.output : []
    push(address?.word ?? .zero)
    pc &+= 1
  }

  mutating func selfdestruct() {
    if msg.isStatic { return fail() }
    let beneficiary = Address(word: pop())
    var cost = host.warmAccount(beneficiary) ? Gas.coldAccountAccess : 0
    if !host.balance(msg.address).isZero && host.isEmpty(host.index(beneficiary)) { cost += Gas.newAccount }
    guard charge(cost) else { return }
    host.selfDestruct(msg.address, beneficiary: beneficiary)
    result = FrameResult(status: .success, gasLeft: gas, output: [])
  }
}
