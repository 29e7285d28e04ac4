/// Decoding signed transactions from their EIP-2718 bytes: legacy (with or without
/// EIP-155 replay protection), EIP-2930 access-list, EIP-1559 dynamic-fee and EIP-4844
/// blob transactions; the signing hash, the transaction hash and the recovered sender, or,
/// for bytes whose sender is already known (a stored block's), the same parse without the
/// recovery.
import BraidCrypto
import BraidPrimitives

public enum TransactionDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
  case empty
  case typeNotSupported(UInt8)
  case malformed(String)
  case invalidSignature

  public var description: String {
    switch self {
    case .empty: return "empty transaction"
    case .typeNotSupported(let t): return "transaction type not supported: \(t)"
    case .malformed(let why): return "rlp: \(why)"
    case .invalidSignature: return "invalid transaction v, r, s values"
    }
  }
}

/// A transaction as it arrives on the wire, decoded, with its sender recovered once.
public struct SignedTransaction: Sendable {
  public var transaction: Transaction
  /// keccak256 of the EIP-2718 bytes.
  public var hash: Hash32
  public var raw: Bytes

  /// Decodes and recovers the sender. Rejects non-canonical RLP, trailing bytes, unknown
  /// types, high-s signatures (EIP-2) and signatures that recover no key.
  public static func decode(_ raw: Bytes) throws(TransactionDecodingError) -> SignedTransaction {
    try decode(raw, knownSender: nil)
  }

  /// Decodes bytes whose sender was recovered before, when they were admitted: a
  /// committed block's transactions, with the sender its stored receipt keeps. Parses
  /// and rejects exactly as `decode(_:)` does (the v/yParity, r and s ranges and low s
  /// included) but does not run the recovery, about 45 µs per transaction, so it cannot
  /// tell that the signature belongs to `sender`: only for bytes that passed `decode(_:)`
  /// once already.
  public static func decode(_ raw: Bytes, sender: Address) throws(TransactionDecodingError)
    -> SignedTransaction
  {
    try decode(raw, knownSender: sender)
  }

  /// Decodes many transactions and recovers their senders together, which lets
  /// `Secp256k1.recoverPublicKeys` run eight recoveries at once where the CPU can. Each
  /// result is what `decode(_:)` gives for that transaction.
  public static func decodeAll(_ raws: [Bytes]) -> [Result<SignedTransaction, TransactionDecodingError>] {
    var results: [Result<SignedTransaction, TransactionDecodingError>] = []
    results.reserveCapacity(raws.count)
    var inputs: [RecoveryInput] = []
    var waiting: [Int] = []
    inputs.reserveCapacity(raws.count)
    waiting.reserveCapacity(raws.count)
    for raw in raws {
      var pending: RecoveryInput?
      do {
        let signed = try decode(raw, sender: .deferred, pending: &pending)
        if let pending {
          inputs.append(pending)
          waiting.append(results.count)
        }
        results.append(.success(signed))
      } catch {
        results.append(.failure(error))
      }
    }
    for (k, key) in Secp256k1.recoverPublicKeys(inputs).enumerated() {
      let i = waiting[k]
      guard let key, case .success(var signed) = results[i] else {
        results[i] = .failure(.invalidSignature)
        continue
      }
      signed.transaction.sender = Address(Keccak256.hash(key).bytes[12...])
      results[i] = .success(signed)
    }
    return results
  }

  /// Where a decode gets the sender from.
  private enum SenderSource {
    case recover
    case known(Address)
    /// Left for the caller: the decode returns a placeholder sender and the recovery's input.
    case deferred
  }

  private static func decode(_ raw: Bytes, knownSender: Address?) throws(TransactionDecodingError)
    -> SignedTransaction
  {
    var pending: RecoveryInput?
    return try decode(raw, sender: knownSender.map { .known($0) } ?? .recover, pending: &pending)
  }

  private static func decode(_ raw: Bytes, sender: SenderSource, pending: inout RecoveryInput?)
    throws(TransactionDecodingError) -> SignedTransaction
  {
    guard let first = raw.first else { throw .empty }
    do {
      if first >= 0xc0 { return try decodeLegacy(raw, sender: sender, pending: &pending) }
      guard first <= 3 else { throw TransactionDecodingError.typeNotSupported(first) }
      return try decodeTyped(first, raw, sender: sender, pending: &pending)
    } catch let e as TransactionDecodingError {
      throw e
    } catch let e as RLPError {
      throw .malformed(e.description)
    } catch {
      throw .malformed("\(error)")
    }
  }

  private static func decodeLegacy(_ raw: Bytes, sender source: SenderSource, pending: inout RecoveryInput?) throws
    -> SignedTransaction
  {
    let f = try RLP.decode(raw).asList()
    guard f.count == 9 else { throw TransactionDecodingError.malformed("legacy transaction has \(f.count) fields") }
    let v = try f[6].asUInt256()
    let chainId: UInt64?
    let recId: Int32
    var signingFields = Array(f[0..<6])
    if v == UInt256(27) || v == UInt256(28) {
      chainId = nil
      recId = Int32(v.w0 - 27)
    } else {
      // EIP-155: v = chainId * 2 + 35 + yParity.
      guard v.fitsUInt64, v.w0 >= 35 else { throw TransactionDecodingError.invalidSignature }
      chainId = (v.w0 - 35) / 2
      recId = Int32((v.w0 - 35) % 2)
      signingFields += [.uint(chainId!), .bytes([]), .bytes([])]
    }
    let sender = try resolveSender(
      source, signingHash: { Keccak256.hash(RLPItem.list(signingFields).encode()) }, recId: recId,
      r: f[7].asUInt256(), s: f[8].asUInt256(), pending: &pending)
    let tx = Transaction.legacy(
      type: 0, chainId: chainId, nonce: try f[0].asUInt64(), gasPrice: try f[1].asUInt256(), gasLimit: try f[2].asUInt64(),
      to: try optionalAddress(f[3]), value: try f[4].asUInt256(), data: try f[5].asBytes(), sender: sender)
    return SignedTransaction(transaction: tx, hash: Keccak256.hash(raw), raw: raw)
  }

  private static func decodeTyped(
    _ type: UInt8, _ raw: Bytes, sender source: SenderSource, pending: inout RecoveryInput?
  ) throws -> SignedTransaction
  {
    let f = try RLP.decode(Array(raw[1...])).asList()
    // Field counts: [chainId, nonce, fees..., gas, to, value, data, accessList, (blob fields), yParity, r, s].
    let expected: Int = [11, 11, 12, 14][Int(type)]
    guard f.count == expected else { throw TransactionDecodingError.malformed("type \(type) transaction has \(f.count) fields") }
    let chainId = try f[0].asUInt64()
    let nonce = try f[1].asUInt64()
    var i = 2
    let maxPriority: UInt256, maxFee: UInt256
    if type == 1 {
      maxPriority = try f[2].asUInt256()
      maxFee = maxPriority
      i = 3
    } else {
      maxPriority = try f[2].asUInt256()
      maxFee = try f[3].asUInt256()
      i = 4
    }
    let gas = try f[i].asUInt64()
    let to = try optionalAddress(f[i + 1])
    let value = try f[i + 2].asUInt256()
    let data = try f[i + 3].asBytes()
    let accessList = try decodeAccessList(f[i + 4])
    i += 5
    var maxFeePerBlobGas = UInt256.zero
    var blobHashes: [Hash32] = []
    if type == 3 {
      maxFeePerBlobGas = try f[i].asUInt256()
      blobHashes = try f[i + 1].asList().map { item throws(RLPError) in try item.asHash32() }
      guard to != nil else { throw TransactionDecodingError.malformed("blob transaction without a recipient") }
      i += 2
    }
    let yParity = try f[i].asUInt64()
    guard yParity <= 1 else { throw TransactionDecodingError.invalidSignature }
    let signed = i
    let sender = try resolveSender(
      source, signingHash: { Keccak256.hash([type] + RLPItem.list(Array(f[0..<signed])).encode()) },
      recId: Int32(yParity), r: f[i + 1].asUInt256(), s: f[i + 2].asUInt256(), pending: &pending)
    let tx = Transaction(
      type: type, chainId: chainId, nonce: nonce, gasLimit: gas, maxFeePerGas: maxFee, maxPriorityFeePerGas: maxPriority,
      to: to, value: value, data: data, accessList: accessList, maxFeePerBlobGas: maxFeePerBlobGas,
      blobVersionedHashes: blobHashes, sender: sender)
    return SignedTransaction(transaction: tx, hash: Keccak256.hash(raw), raw: raw)
  }

  private static func optionalAddress(_ item: RLPItem) throws -> Address? {
    let b = try item.asBytes()
    if b.isEmpty { return nil }
    return try item.asAddress()
  }

  private static func decodeAccessList(_ item: RLPItem) throws -> [AccessListEntry] {
    try item.asList().map { entry throws -> AccessListEntry in
      let pair = try entry.asList()
      guard pair.count == 2 else { throw TransactionDecodingError.malformed("access list entry has \(pair.count) fields") }
      return AccessListEntry(
        address: try pair[0].asAddress(), storageKeys: try pair[1].asList().map { k throws(RLPError) in try k.asHash32().word })
    }
  }

  /// The sender: the known one, or recovered from the signature now, or (deferred) a
  /// placeholder with the recovery's input left in `pending`. The range checks run in every
  /// case, so all decodes refuse the same signatures short of the recovery; the signing hash
  /// (an RLP re-encoding and a Keccak) is only computed to recover.
  private static func resolveSender(
    _ source: SenderSource, signingHash: () -> Hash32, recId: Int32, r: UInt256, s: UInt256,
    pending: inout RecoveryInput?
  ) throws -> Address {
    guard Secp256k1.isValidScalar(r), Secp256k1.isValidScalar(s), Secp256k1.isLowS(s) else {
      throw TransactionDecodingError.invalidSignature
    }
    switch source {
    case .known(let address):
      return address
    case .deferred:
      pending = RecoveryInput(hash: signingHash(), r: r, s: s, recoveryId: recId)
      return Address.zero
    case .recover:
      guard let pub = Secp256k1.recoverPublicKey(hash: signingHash().bytes, r: r, s: s, recoveryId: recId)
      else { throw TransactionDecodingError.invalidSignature }
      return Address(Keccak256.hash(pub).bytes[12...])
    }
  }
}
