/// The Cancun gas schedule beyond the static per-opcode costs, which live in `opTable`:
/// constants from the Yellow Paper as amended by EIP-2929 (cold/warm access), EIP-2200/3529
/// (SSTORE and refunds), EIP-3860 (initcode) and friends.
enum Gas {
  static let warmAccess = 100
  static let coldAccountAccess = 2600
  static let coldSload = 2100
  static let sstoreSet = 20000
  static let sstoreReset = 5000 - coldSload
  static let sstoreClearsRefund = 4800
  static let sstoreSentry = 2300
  static let callValue = 9000
  static let callStipend = 2300
  static let newAccount = 25000
  static let create = 32000
  static let codeDeposit = 200
  static let selfdestruct = 5000
  static let expByte = 50
  static let keccakWord = 6
  static let copyWord = 3
  static let initcodeWord = 2
  static let log = 375
  static let logTopic = 375
  static let logData = 8
  static let memoryWord = 3

  static let txBase = 21000
  static let txCreate = 32000
  static let txDataZero = 4
  static let txDataNonZero = 16
  static let accessListAddress = 2400
  static let accessListStorageKey = 1900
  static let perBlob: UInt64 = 1 << 17

  static let maxCodeSize = 24576
  static let maxInitcodeSize = 2 * maxCodeSize
  static let maxRefundQuotient = 5
  static let callDepthLimit = 1024
  static let stackLimit = 1024
  static let maxBlobsPerBlock = 6

  /// Total cost of a memory of `words` 32-byte words: 3·w + w²/512.
  @inline(__always) static func memoryCost(words: Int) -> Int {
    memoryWord &* words &+ (words &* words) / 512
  }

  @inline(__always) static func words(_ bytes: Int) -> Int { (bytes &+ 31) / 32 }
}
