/// The one opcode metadata table: static gas, stack inputs and outputs for every Cancun
/// opcode. The interpreter checks these before dispatch, so every instruction body may
/// assume its stack depth is valid and its static gas is already paid.

/// Opcode byte values used by name in the interpreter.
enum Op {
  static let STOP: UInt8 = 0x00, ADD: UInt8 = 0x01, MUL: UInt8 = 0x02, SUB: UInt8 = 0x03, DIV: UInt8 = 0x04
  static let SDIV: UInt8 = 0x05, MOD: UInt8 = 0x06, SMOD: UInt8 = 0x07, ADDMOD: UInt8 = 0x08, MULMOD: UInt8 = 0x09
  static let EXP: UInt8 = 0x0a, SIGNEXTEND: UInt8 = 0x0b
  static let LT: UInt8 = 0x10, GT: UInt8 = 0x11, SLT: UInt8 = 0x12, SGT: UInt8 = 0x13, EQ: UInt8 = 0x14
  static let ISZERO: UInt8 = 0x15, AND: UInt8 = 0x16, OR: UInt8 = 0x17, XOR: UInt8 = 0x18, NOT: UInt8 = 0x19
  static let BYTE: UInt8 = 0x1a, SHL: UInt8 = 0x1b, SHR: UInt8 = 0x1c, SAR: UInt8 = 0x1d
  static let KECCAK256: UInt8 = 0x20
  static let ADDRESS: UInt8 = 0x30, BALANCE: UInt8 = 0x31, ORIGIN: UInt8 = 0x32, CALLER: UInt8 = 0x33
  static let CALLVALUE: UInt8 = 0x34, CALLDATALOAD: UInt8 = 0x35, CALLDATASIZE: UInt8 = 0x36
  static let CALLDATACOPY: UInt8 = 0x37, CODESIZE: UInt8 = 0x38, CODECOPY: UInt8 = 0x39, GASPRICE: UInt8 = 0x3a
  static let EXTCODESIZE: UInt8 = 0x3b, EXTCODECOPY: UInt8 = 0x3c, RETURNDATASIZE: UInt8 = 0x3d
  static let RETURNDATACOPY: UInt8 = 0x3e, EXTCODEHASH: UInt8 = 0x3f
  static let BLOCKHASH: UInt8 = 0x40, COINBASE: UInt8 = 0x41, TIMESTAMP: UInt8 = 0x42, NUMBER: UInt8 = 0x43
  static let PREVRANDAO: UInt8 = 0x44, GASLIMIT: UInt8 = 0x45, CHAINID: UInt8 = 0x46, SELFBALANCE: UInt8 = 0x47
  static let BASEFEE: UInt8 = 0x48, BLOBHASH: UInt8 = 0x49, BLOBBASEFEE: UInt8 = 0x4a
  static let POP: UInt8 = 0x50, MLOAD: UInt8 = 0x51, MSTORE: UInt8 = 0x52, MSTORE8: UInt8 = 0x53
  static let SLOAD: UInt8 = 0x54, SSTORE: UInt8 = 0x55, JUMP: UInt8 = 0x56, JUMPI: UInt8 = 0x57, PC: UInt8 = 0x58
  static let MSIZE: UInt8 = 0x59, GAS: UInt8 = 0x5a, JUMPDEST: UInt8 = 0x5b, TLOAD: UInt8 = 0x5c
  static let TSTORE: UInt8 = 0x5d, MCOPY: UInt8 = 0x5e, PUSH0: UInt8 = 0x5f, PUSH1: UInt8 = 0x60, PUSH32: UInt8 = 0x7f
  static let DUP1: UInt8 = 0x80, DUP16: UInt8 = 0x8f, SWAP1: UInt8 = 0x90, SWAP16: UInt8 = 0x9f
  static let LOG0: UInt8 = 0xa0, LOG4: UInt8 = 0xa4
  static let CREATE: UInt8 = 0xf0, CALL: UInt8 = 0xf1, CALLCODE: UInt8 = 0xf2, RETURN: UInt8 = 0xf3
  static let DELEGATECALL: UInt8 = 0xf4, CREATE2: UInt8 = 0xf5, STATICCALL: UInt8 = 0xfa
  static let REVERT: UInt8 = 0xfd, INVALID: UInt8 = 0xfe, SELFDESTRUCT: UInt8 = 0xff
}

/// Per-opcode metadata packed for the dispatch loop.
struct OpInfo {
  /// Static gas charged before the body runs.
  var gas: Int32
  /// Minimum stack depth; `undefined` marks an opcode that does not exist in Cancun.
  var stackIn: Int16
  /// Largest stack depth before the instruction that does not overflow 1024 after it.
  var maxStackBefore: Int16

  static let undefined: Int16 = 0x7fff
}

let opTable: [OpInfo] = {
  var t = [OpInfo](repeating: OpInfo(gas: 0, stackIn: OpInfo.undefined, maxStackBefore: 0), count: 256)
  func def(_ op: UInt8, _ gas: Int, _ inputs: Int, _ outputs: Int) {
    t[Int(op)] = OpInfo(gas: Int32(gas), stackIn: Int16(inputs), maxStackBefore: Int16(Gas.stackLimit - max(0, outputs - inputs)))
  }
  def(Op.STOP, 0, 0, 0)
  for (op, g) in [(Op.ADD, 3), (Op.MUL, 5), (Op.SUB, 3), (Op.DIV, 5), (Op.SDIV, 5), (Op.MOD, 5), (Op.SMOD, 5), (Op.EXP, 10), (Op.SIGNEXTEND, 5)] {
    def(op, g, 2, 1)
  }
  def(Op.ADDMOD, 8, 3, 1)
  def(Op.MULMOD, 8, 3, 1)
  for op in [Op.LT, Op.GT, Op.SLT, Op.SGT, Op.EQ, Op.AND, Op.OR, Op.XOR, Op.BYTE, Op.SHL, Op.SHR, Op.SAR] { def(op, 3, 2, 1) }
  def(Op.ISZERO, 3, 1, 1)
  def(Op.NOT, 3, 1, 1)
  def(Op.KECCAK256, 30, 2, 1)
  for op in [Op.ADDRESS, Op.ORIGIN, Op.CALLER, Op.CALLVALUE, Op.CALLDATASIZE, Op.CODESIZE, Op.GASPRICE, Op.RETURNDATASIZE,
             Op.COINBASE, Op.TIMESTAMP, Op.NUMBER, Op.PREVRANDAO, Op.GASLIMIT, Op.CHAINID, Op.BASEFEE, Op.BLOBBASEFEE,
             Op.PC, Op.MSIZE, Op.GAS, Op.PUSH0] {
    def(op, 2, 0, 1)
  }
  def(Op.BALANCE, 0, 1, 1)
  def(Op.CALLDATALOAD, 3, 1, 1)
  def(Op.CALLDATACOPY, 3, 3, 0)
  def(Op.CODECOPY, 3, 3, 0)
  def(Op.EXTCODESIZE, 0, 1, 1)
  def(Op.EXTCODECOPY, 0, 4, 0)
  def(Op.RETURNDATACOPY, 3, 3, 0)
  def(Op.EXTCODEHASH, 0, 1, 1)
  def(Op.BLOCKHASH, 20, 1, 1)
  def(Op.SELFBALANCE, 5, 0, 1)
  def(Op.BLOBHASH, 3, 1, 1)
  def(Op.POP, 2, 1, 0)
  def(Op.MLOAD, 3, 1, 1)
  def(Op.MSTORE, 3, 2, 0)
  def(Op.MSTORE8, 3, 2, 0)
  def(Op.SLOAD, 0, 1, 1)
  def(Op.SSTORE, 0, 2, 0)
  def(Op.JUMP, 8, 1, 0)
  def(Op.JUMPI, 10, 2, 0)
  def(Op.JUMPDEST, 1, 0, 0)
  def(Op.TLOAD, 100, 1, 1)
  def(Op.TSTORE, 100, 2, 0)
  def(Op.MCOPY, 3, 3, 0)
  for op in Op.PUSH1...Op.PUSH32 { def(op, 3, 0, 1) }
  for i in 0..<16 {
    def(Op.DUP1 + UInt8(i), 3, i + 1, i + 2)
    def(Op.SWAP1 + UInt8(i), 3, i + 2, i + 2)
  }
  for i in 0...4 { def(Op.LOG0 + UInt8(i), Gas.log + i * Gas.logTopic, 2 + i, 0) }
  def(Op.CREATE, Gas.create, 3, 1)
  def(Op.CALL, 0, 7, 1)
  def(Op.CALLCODE, 0, 7, 1)
  def(Op.RETURN, 0, 2, 0)
  def(Op.DELEGATECALL, 0, 6, 1)
  def(Op.CREATE2, Gas.create, 4, 1)
  def(Op.STATICCALL, 0, 6, 1)
  def(Op.REVERT, 0, 2, 0)
  def(Op.SELFDESTRUCT, Gas.selfdestruct, 1, 0)
  // INVALID (0xfe) stays undefined: it halts exceptionally like any undefined opcode.
  return t
}()
