/// The interpreter loop: one frame of execution over one piece of code.
///
/// Precondition contract for every instruction body (Instructions/*.swift): the loop has
/// already checked the opcode is defined, the stack holds at least `stackIn` items and
/// has room for the outputs, and the static gas of `opTable` is paid. Bodies charge only
/// their dynamic gas.
import BraidPrimitives

/// How a frame ended.
enum FrameStatus {
  case success
  case revert
  /// Exceptional halt: all gas of the frame is consumed.
  case failure
}

struct FrameResult {
  var status: FrameStatus
  var gasLeft: Int
  var output: Bytes

  static func failed() -> FrameResult { FrameResult(status: .failure, gasLeft: 0, output: []) }
}

/// The call context of a frame.
struct Message {
  var caller: Address
  /// The account whose storage and balance the code acts on (ADDRESS).
  var address: Address
  var value: UInt256
  var input: Bytes
  var gas: Int
  var depth: Int
  var isStatic: Bool
}

struct Interpreter<S: StateReader>: ~Copyable {
  unowned(unsafe) let host: Host<S>
  let code: Code
  let msg: Message
  var gas: Int
  let stack: UnsafeMutablePointer<UInt256>
  var sp = 0
  var memory = Memory()
  var returnData: Bytes = []
  var pc = 0
  /// Set by an instruction that ends the frame.
  var result: FrameResult? = nil

  init(host: Host<S>, code: Code, msg: Message) {
    self.host = host
    self.code = code
    self.msg = msg
    self.gas = msg.gas
    self.stack = .allocate(capacity: Gas.stackLimit)
  }

  deinit { stack.deallocate() }

  // MARK: stack

  @inline(__always) mutating func pop() -> UInt256 {
    sp &-= 1
    return stack[sp]
  }
  @inline(__always) mutating func push(_ v: UInt256) {
    stack[sp] = v
    sp &+= 1
  }
  @inline(__always) func peek(_ n: Int) -> UInt256 { stack[sp &- 1 &- n] }
  @inline(__always) func top() -> UnsafeMutablePointer<UInt256> { stack + (sp &- 1) }

  // MARK: gas and memory

  /// Charges gas; false (and the frame fails) when not enough is left.
  @inline(__always) mutating func charge(_ cost: Int) -> Bool {
    if gas < cost {
      result = .failed()
      return false
    }
    gas &-= cost
    return true
  }

  @inline(__always) mutating func fail() { result = .failed() }

  /// Expands memory to cover [offset, offset+size) and charges for it. Returns the offset
  /// as Int, or nil after failing the frame. A zero size touches nothing.
  @inline(__always) mutating func memoryRegion(_ offset: UInt256, _ size: UInt256) -> Int? {
    if size.isZero { return 0 }
    guard let o = offset.asInt, let s = size.asInt, o <= 0xffff_ffff, s <= 0xffff_ffff else {
      fail()
      return nil
    }
    let end = o + s
    if end > memory.size && !expandMemory(to: end) { return nil }
    return o
  }

  mutating func expandMemory(to end: Int) -> Bool {
    let newWords = Gas.words(end)
    let oldWords = memory.size / 32
    let cost = Gas.memoryCost(words: newWords) - Gas.memoryCost(words: oldWords)
    guard charge(cost) else { return false }
    memory.grow(to: newWords * 32)
    return true
  }

  // MARK: the loop

  mutating func run() -> FrameResult {
    let table = opTable
    return table.withUnsafeBufferPointer { tbl in
      let codePtr = code.ptr
      while true {
        let op = codePtr[pc]
        let info = tbl[Int(op)]
        if sp < Int(info.stackIn) {
          // Covers both underflow and undefined opcodes (stackIn = undefined).
          return .failed()
        }
        if sp > Int(info.maxStackBefore) { return .failed() }
        if gas < Int(info.gas) { return .failed() }
        gas &-= Int(info.gas)
        execute(op)
        if let r = result { return r }
        if host.halted { return .failed() }
      }
    }
  }

  @inline(__always) mutating func execute(_ op: UInt8) {
    switch op {
    case Op.STOP: result = FrameResult(status: .success, gasLeft: gas, output: [])
    case Op.ADD: binary { $0 &+ $1 }
    case Op.MUL: binary { $0 &* $1 }
    case Op.SUB: binary { $0 &- $1 }
    case Op.DIV: binary { $0 / $1 }
    case Op.SDIV: binary { $0.signedDivided(by: $1) }
    case Op.MOD: binary { $0 % $1 }
    case Op.SMOD: binary { $0.signedRemainder(dividingBy: $1) }
    case Op.ADDMOD: addmod()
    case Op.MULMOD: mulmod()
    case Op.EXP: exp()
    case Op.SIGNEXTEND: binary { $1.signExtended(fromByte: $0) }
    case Op.LT: binary { $0 < $1 ? .one : .zero }
    case Op.GT: binary { $0 > $1 ? .one : .zero }
    case Op.SLT: binary { $0.signedLess(than: $1) ? .one : .zero }
    case Op.SGT: binary { $1.signedLess(than: $0) ? .one : .zero }
    case Op.EQ: binary { $0 == $1 ? .one : .zero }
    case Op.ISZERO: top().pointee = top().pointee.isZero ? .one : .zero; pc &+= 1
    case Op.AND: binary { $0 & $1 }
    case Op.OR: binary { $0 | $1 }
    case Op.XOR: binary { $0 ^ $1 }
    case Op.NOT: top().pointee = ~top().pointee; pc &+= 1
    case Op.BYTE: binary { $1.byte(at: $0) }
    case Op.SHL: binary { $0 < UInt256(256) ? $1 << Int($0.w0) : .zero }
    case Op.SHR: binary { $0 < UInt256(256) ? $1 >> Int($0.w0) : .zero }
    case Op.SAR: binary { $1.arithmeticShiftedRight(by: $0) }
    case Op.KECCAK256: keccak()
    case Op.ADDRESS: pushEnv(msg.address.word)
    case Op.BALANCE: balance()
    case Op.ORIGIN: pushEnv(host.origin.word)
    case Op.CALLER: pushEnv(msg.caller.word)
    case Op.CALLVALUE: pushEnv(msg.value)
    case Op.CALLDATALOAD: calldataload()
    case Op.CALLDATASIZE: pushEnv(UInt256(msg.input.count))
    case Op.CALLDATACOPY: calldatacopy()
    case Op.CODESIZE: pushEnv(UInt256(code.count))
    case Op.CODECOPY: codecopy()
    case Op.GASPRICE: pushEnv(host.gasPrice)
    case Op.EXTCODESIZE: extcodesize()
    case Op.EXTCODECOPY: extcodecopy()
    case Op.RETURNDATASIZE: pushEnv(UInt256(returnData.count))
    case Op.RETURNDATACOPY: returndatacopy()
    case Op.EXTCODEHASH: extcodehash()
    case Op.BLOCKHASH: blockhash()
    case Op.COINBASE: pushEnv(host.block.coinbase.word)
    case Op.TIMESTAMP: pushEnv(UInt256(host.block.timestamp))
    case Op.NUMBER: pushEnv(UInt256(host.block.number))
    case Op.PREVRANDAO: pushEnv(host.block.prevRandao)
    case Op.GASLIMIT: pushEnv(UInt256(host.block.gasLimit))
    case Op.CHAINID: pushEnv(UInt256(host.block.chainId))
    case Op.SELFBALANCE: pushEnv(host.balance(msg.address))
    case Op.BASEFEE: pushEnv(host.block.baseFee)
    case Op.BLOBHASH: blobhash()
    case Op.BLOBBASEFEE: pushEnv(host.block.blobBaseFee)
    case Op.POP: sp &-= 1; pc &+= 1
    case Op.MLOAD: mload()
    case Op.MSTORE: mstore()
    case Op.MSTORE8: mstore8()
    case Op.SLOAD: sload()
    case Op.SSTORE: sstore()
    case Op.JUMP: jump()
    case Op.JUMPI: jumpi()
    case Op.PC: pushEnv(UInt256(pc))
    case Op.MSIZE: pushEnv(UInt256(memory.size))
    case Op.GAS: pushEnv(UInt256(gas))
    case Op.JUMPDEST: pc &+= 1
    case Op.TLOAD: tload()
    case Op.TSTORE: tstore()
    case Op.MCOPY: mcopy()
    case Op.PUSH0: pushEnv(.zero)
    case Op.PUSH1...Op.PUSH32: pushN(Int(op &- Op.PUSH0))
    case Op.DUP1...Op.DUP16: dup(Int(op &- Op.DUP1))
    case Op.SWAP1...Op.SWAP16: swap(Int(op &- Op.SWAP1) &+ 1)
    case Op.LOG0...Op.LOG4: log(Int(op &- Op.LOG0))
    case Op.CREATE: create(isCreate2: false)
    case Op.CALL: call(.call)
    case Op.CALLCODE: call(.callCode)
    case Op.RETURN: returnOrRevert(.success)
    case Op.DELEGATECALL: call(.delegateCall)
    case Op.CREATE2: create(isCreate2: true)
    case Op.STATICCALL: call(.staticCall)
    case Op.REVERT: returnOrRevert(.revert)
    case Op.SELFDESTRUCT: selfdestruct()
    default: fail()
    }
  }
}
