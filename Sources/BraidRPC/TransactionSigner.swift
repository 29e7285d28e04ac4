/// Encoding and signing transactions as EIP-2718 envelopes: what `eth_sendTransaction`
/// does for dev accounts, and what tests and load generators need to produce raw
/// transactions that `SignedTransaction.decode` accepts.
import BraidCrypto
import BraidEVM
import BraidPrimitives

public enum TransactionSigner {
  public enum SignError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidKey
    case unsupportedType(UInt8)

    public var description: String {
      switch self {
      case .invalidKey: return "invalid private key"
      case .unsupportedType(let t): return "transaction type \(t) not supported"
      }
    }
  }

  /// The address of a 32-byte private key.
  public static func address(privateKey: Bytes) -> Address? {
    guard let pub = Secp256k1.publicKey(privateKey: privateKey) else { return nil }
    return Address(Keccak256.hash(pub).bytes[12...])
  }

  /// Signs for `eth_sendTransaction` and `eth_signTransaction` with the key of the
  /// transaction's sender among `keys` (a dev chain's accounts), as an RPC error otherwise.
  public static func sign(_ tx: Transaction, withKeyFrom keys: [Address: Bytes]) throws(RPCError) -> Bytes {
    guard let key = keys[tx.sender] else { throw .unknownAccount }
    do {
      return try sign(tx, privateKey: key)
    } catch {
      throw .server(error.description)
    }
  }

  /// Signs `tx` (types 0 with EIP-155, 1 and 2; `tx.sender` is ignored) and returns the
  /// EIP-2718 bytes.
  public static func sign(_ tx: Transaction, privateKey: Bytes) throws(SignError) -> Bytes {
    guard tx.type <= 2 else { throw .unsupportedType(tx.type) }
    let chainId = tx.chainId ?? 0
    let signingPayload = encode(tx, signature: nil, chainId: chainId)
    guard let sig = Secp256k1.sign(hash: Keccak256.hash(signingPayload).bytes, privateKey: privateKey) else {
      throw .invalidKey
    }
    return encode(tx, signature: (UInt64(sig.recoveryId), sig.r, sig.s), chainId: chainId)
  }

  /// The signing payload when `signature` is nil, the signed envelope otherwise.
  static func encode(_ tx: Transaction, signature: (yParity: UInt64, r: UInt256, s: UInt256)?, chainId: UInt64) -> Bytes {
    var w = RLPWriter(capacity: 128 + tx.data.count)
    if tx.type != 0 { w.bytes.append(tx.type) }
    let list = w.beginList()
    if tx.type != 0 { w.append(uint: chainId) }
    w.append(uint: tx.nonce)
    if tx.type == 2 {
      w.append(uint256: tx.maxPriorityFeePerGas)
      w.append(uint256: tx.maxFeePerGas)
    } else {
      w.append(uint256: tx.maxFeePerGas)
    }
    w.append(uint: tx.gasLimit)
    if let to = tx.to { w.append(address: to) } else { w.append(bytes: []) }
    w.append(uint256: tx.value)
    w.append(bytes: tx.data)
    if tx.type != 0 {
      let accessList = w.beginList()
      for entry in tx.accessList {
        let pair = w.beginList()
        w.append(address: entry.address)
        let keys = w.beginList()
        for k in entry.storageKeys { w.append(hash: Hash32(word: k)) }
        w.endList(keys)
        w.endList(pair)
      }
      w.endList(accessList)
    }
    if let (yParity, r, s) = signature {
      // EIP-155 folds the chain id into a legacy transaction's v.
      w.append(uint: tx.type != 0 ? yParity : tx.chainId.map { $0 * 2 + 35 + yParity } ?? 27 + yParity)
      w.append(uint256: r)
      w.append(uint256: s)
    } else if tx.type == 0, tx.chainId != nil {
      w.append(uint: chainId)
      w.append(uint: 0)
      w.append(uint: 0)
    }
    w.endList(list)
    return w.bytes
  }

  /// `v`, `r`, `s` and `yParity` of an EIP-2718 envelope, for the transaction object.
  public static func signature(of raw: Bytes) -> (v: UInt256, r: UInt256, s: UInt256, yParity: UInt64?)? {
    guard let first = raw.first else { return nil }
    let payload = first >= 0xc0 ? raw : Array(raw.dropFirst())
    guard let fields = try? RLP.decode(payload).asList(), fields.count >= 3,
      let v = try? fields[fields.count - 3].asUInt256(),
      let r = try? fields[fields.count - 2].asUInt256(),
      let s = try? fields[fields.count - 1].asUInt256()
    else { return nil }
    if first >= 0xc0 {
      let parity: UInt64? = v.fitsUInt64 && v.w0 >= 35 ? (v.w0 - 35) % 2 : (v.w0 == 27 || v.w0 == 28 ? v.w0 - 27 : nil)
      return (v, r, s, parity)
    }
    return (v, r, s, v.w0)
  }
}
