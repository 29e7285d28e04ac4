import BraidEVM
import BraidExecution
import BraidPrimitives

/// A deterministic generator (SplitMix64) so that a failing block can be replayed by seed.
struct SplitMix: RandomNumberGenerator {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9e37_79b9_7f4a_7c15
    var z = state
    z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
    z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
    return z ^ (z >> 31)
  }
}

/// Assembles bytecode with forward labels, so the contracts below read as programs.
struct Assembler {
  var code: Bytes = []
  var labels: [String: Int] = [:]
  var fixups: [(at: Int, label: String)] = []

  mutating func op(_ bytes: UInt8...) { code += bytes }
  mutating func push(_ v: UInt64) {
    let be = UInt256(v).minimalBigEndianBytes
    if be.isEmpty { code.append(0x5f) } else { code += [0x5f + UInt8(be.count)] + be }
  }
  mutating func pushLabel(_ name: String) {
    code.append(0x61)
    fixups.append((code.count, name))
    code += [0, 0]
  }
  mutating func label(_ name: String) {
    labels[name] = code.count
    code.append(0x5b)
  }
  func assembled() -> Bytes {
    var out = code
    for f in fixups {
      let target = labels[f.label]!
      out[f.at] = UInt8(target >> 8)
      out[f.at + 1] = UInt8(target & 0xff)
    }
    return out
  }
}

/// The contracts of the random blocks, one per behaviour Block-STM must get right.
enum Contracts {
  static let token = Address(hi: 0x7070_7070_7070_7070, mid: 0x7070_7070_7070_7070, lo: 1)
  static let pool = Address(hi: 0x7070_7070_7070_7070, mid: 0x7070_7070_7070_7070, lo: 2)
  static let factory = Address(hi: 0x7070_7070_7070_7070, mid: 0x7070_7070_7070_7070, lo: 3)
  static let burner = Address(hi: 0x7070_7070_7070_7070, mid: 0x7070_7070_7070_7070, lo: 4)
  static let reverter = Address(hi: 0x7070_7070_7070_7070, mid: 0x7070_7070_7070_7070, lo: 5)
  static let coinbaseReader = Address(hi: 0x7070_7070_7070_7070, mid: 0x7070_7070_7070_7070, lo: 6)
  static let destructor = Address(hi: 0x7070_7070_7070_7070, mid: 0x7070_7070_7070_7070, lo: 7)

  /// transfer(to = calldata[0:32], amount = calldata[32:64]) over storage[holder]; reverts
  /// when the caller's balance is short; logs the amount with the caller as topic.
  static var tokenCode: Bytes {
    var a = Assembler()
    a.push(32); a.op(0x35)  // amount
    a.op(0x80)  // DUP1
    a.op(0x33, 0x54)  // CALLER SLOAD
    a.op(0x81, 0x81, 0x10)  // DUP2 DUP2 LT: bal < amount
    a.pushLabel("revert"); a.op(0x57)
    a.op(0x03)  // SUB: bal - amount
    a.op(0x33, 0x55)  // CALLER SSTORE
    a.push(0); a.op(0x35)  // to
    a.op(0x80, 0x54)  // DUP1 SLOAD
    a.op(0x82, 0x01)  // DUP3 ADD
    a.op(0x90, 0x55)  // SWAP1 SSTORE
    a.push(0); a.op(0x52)  // MSTORE(0, amount)
    a.op(0x33); a.push(32); a.push(0); a.op(0xa1)  // LOG1(0, 32, caller)
    a.op(0x00)
    a.label("revert")
    a.push(0); a.push(0); a.op(0xfd)
    return a.assembled()
  }

  /// One hot slot: slot0 += callvalue + 1; slot1 = own balance (which value credits change).
  static var poolCode: Bytes {
    var a = Assembler()
    a.push(0); a.op(0x54, 0x34, 0x01); a.push(1); a.op(0x01); a.push(0); a.op(0x55)
    a.op(0x47); a.push(1); a.op(0x55)
    a.op(0x00)
    return a.assembled()
  }

  /// CREATE2(value, initcode = calldata[32:], salt = calldata[0:32]); stores the result.
  static var factoryCode: Bytes {
    var a = Assembler()
    a.op(0x36); a.push(32); a.op(0x90, 0x03)  // size = CALLDATASIZE - 32
    a.op(0x80); a.push(32); a.push(0); a.op(0x37)  // CALLDATACOPY(0, 32, size)
    a.push(0); a.op(0x35, 0x90)  // salt, size
    a.push(0); a.op(0x34, 0xf5)  // CREATE2(value, 0, size, salt)
    a.push(0); a.op(0x55)
    a.op(0x00)
    return a.assembled()
  }

  /// Initcode that deploys one STOP byte, and initcode that self-destructs to its creator.
  static let deployInit: Bytes = [0x60, 0x00, 0x5f, 0x53, 0x60, 0x01, 0x5f, 0xf3]
  static let suicideInit: Bytes = [0x33, 0xff]

  /// Loops until out of gas.
  static let burnerCode: Bytes = [0x5b, 0x5f, 0x56]
  /// Writes a slot, then reverts when calldata is non-empty.
  static let reverterCode: Bytes = [0x60, 0x01, 0x5f, 0x55, 0x36, 0x60, 0x0a, 0x57, 0x00, 0x00, 0x5b, 0x5f, 0x5f, 0xfd]
  /// Reads the coinbase's exact balance, which every transaction credits as a delta.
  static let coinbaseReaderCode: Bytes = [0x41, 0x31, 0x5f, 0x55, 0x00]
  /// Pre-existing contract that self-destructs to calldata[0:32] (EIP-6780: only moves balance).
  static let destructorCode: Bytes = [0x5f, 0x35, 0xff]
}

/// A random block over few senders (high contention) or many (low).
struct RandomBlock {
  var pre = InMemoryState()
  var env: BlockEnv
  var transactions: [Transaction] = []

  static let coinbase = Address(hi: 0xc0, mid: 0, lo: 0xba5e)

  /// `count`: how many transactions, instead of a random 10 to 79.
  init(seed: UInt64, count: Int? = nil) {
    var rng = SplitMix(state: seed)
    let senderCount = [2, 3, 5, 20][Int(rng.next() % 4)]
    let randomCount = 10 + Int(rng.next() % 70)
    let txCount = count ?? randomCount
    let tightGas = rng.next() % 5 == 0
    env = BlockEnv(
      number: 10, timestamp: 1000, coinbase: Self.coinbase, gasLimit: tightGas ? 2_000_000 : 30_000_000,
      baseFee: UInt256(7))

    var senders: [Address] = (0..<senderCount).map { Address(hi: 0xee, mid: UInt64($0), lo: 1) }
    for (i, s) in senders.enumerated() {
      // Some senders are poor, so that later transactions fail the balance check.
      let balance: UInt64 = i == 0 ? 3_000_000 : 1_000_000_000_000
      pre.accounts[s] = AccountState(balance: UInt256(balance))
    }
    let coinbaseSends = rng.next() % 3 == 0
    if coinbaseSends {
      pre.accounts[Self.coinbase] = AccountState(balance: UInt256(1_000_000_000))
      senders.append(Self.coinbase)
    }
    var tokenStorage: [UInt256: UInt256] = [:]
    for s in senders { tokenStorage[s.word] = UInt256(1000) }
    pre.accounts[Contracts.token] = AccountState(code: Code(Contracts.tokenCode), storage: tokenStorage)
    pre.accounts[Contracts.pool] = AccountState(code: Code(Contracts.poolCode))
    pre.accounts[Contracts.factory] = AccountState(code: Code(Contracts.factoryCode))
    pre.accounts[Contracts.burner] = AccountState(code: Code(Contracts.burnerCode))
    pre.accounts[Contracts.reverter] = AccountState(code: Code(Contracts.reverterCode))
    pre.accounts[Contracts.coinbaseReader] = AccountState(code: Code(Contracts.coinbaseReaderCode))
    pre.accounts[Contracts.destructor] = AccountState(balance: UInt256(500), code: Code(Contracts.destructorCode))
    // An empty account that a zero-value touch removes (EIP-161).
    let empty = Address(hi: 0xdd, mid: 0, lo: 0)
    pre.accounts[empty] = AccountState()

    var nonces = [Address: UInt64]()
    let recipients = senders + [Self.coinbase, empty, Address(hi: 0xfe, mid: 1, lo: 1), Address(hi: 0xfe, mid: 2, lo: 2)]
    for _ in 0..<txCount {
      let sender = senders[Int(rng.next() % UInt64(senders.count))]
      var nonce = nonces[sender, default: 0]
      if rng.next() % 40 == 0 { nonce += 1 }  // a nonce gap: excluded
      else { nonces[sender] = nonce + 1 }
      var to: Address? = nil
      var value = UInt256.zero
      var data: Bytes = []
      var gas: UInt64 = 200_000
      func word(_ v: UInt256) -> Bytes { v.bigEndianBytes }
      switch rng.next() % 10 {
      case 0, 1:
        to = recipients[Int(rng.next() % UInt64(recipients.count))]
        value = UInt256(rng.next() % 3 == 0 ? 0 : rng.next() % 100_000)
        gas = 21000
      case 2, 3:
        to = Contracts.token
        let r = recipients[Int(rng.next() % UInt64(recipients.count))]
        data = word(r.word) + word(UInt256(rng.next() % 700))
      case 4:
        to = Contracts.pool
        value = UInt256(rng.next() % 1000)
      case 5:
        to = Contracts.factory
        value = UInt256(rng.next() % 50)
        data = word(UInt256(rng.next() % 3)) + (rng.next() % 2 == 0 ? Contracts.deployInit : Contracts.suicideInit)
      case 6:
        to = Contracts.burner
        gas = 30000 + rng.next() % 50000
      case 7:
        to = Contracts.reverter
        data = rng.next() % 2 == 0 ? [] : [1]
      case 8:
        to = rng.next() % 2 == 0 ? Contracts.coinbaseReader : Contracts.destructor
        data = word(recipients[Int(rng.next() % UInt64(recipients.count))].word)
      default:
        // A create transaction whose initcode self-destructs or deploys.
        to = nil
        value = UInt256(rng.next() % 10)
        data = rng.next() % 2 == 0 ? Contracts.deployInit : Contracts.suicideInit
        gas = 100_000
      }
      if rng.next() % 25 == 0 { gas = 21000 + rng.next() % 3000 }  // too little for the call
      transactions.append(
        Transaction(
          type: 2, chainId: 1, nonce: nonce, gasLimit: gas, maxFeePerGas: UInt256(20),
          maxPriorityFeePerGas: UInt256(rng.next() % 4), to: to, value: value, data: data, sender: sender))
    }
  }
}
