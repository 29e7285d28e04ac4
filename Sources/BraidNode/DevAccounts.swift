/// Keys of the development accounts, derived the way wallets derive them so that the
/// addresses match anvil's and hardhat's: BIP-39 turns the mnemonic into a seed, BIP-32
/// derives a key tree from it, and BIP-44 names the branch Ethereum uses,
/// m/44'/60'/0'/0/i.
import BraidCrypto
import BraidPrimitives
import Crypto

public enum DevAccounts {
  /// The mnemonic every Ethereum development tool ships with. Its keys are public: never
  /// fund them on a real network.
  public static let developmentMnemonic = "test test test test test test test test test test test junk"

  /// The private keys of m/44'/60'/0'/0/0 ... m/44'/60'/0'/0/(count-1).
  public static func privateKeys(mnemonic: String, passphrase: String = "", count: Int) -> [Bytes] {
    let seed = bip39Seed(mnemonic: mnemonic, passphrase: passphrase)
    let hardened: UInt32 = 0x8000_0000
    var node = masterKey(seed: seed)
    for index in [44 | hardened, 60 | hardened, 0 | hardened, 0] {
      node = child(of: node, index: index)
    }
    return (0..<count).map { child(of: node, index: UInt32($0)).key }
  }

  /// BIP-39: PBKDF2-HMAC-SHA512 over the NFKD mnemonic, salt "mnemonic" + passphrase, 2048
  /// rounds, 64 bytes. The mnemonic is taken as given: for an ASCII word list NFKD is the
  /// identity.
  static func bip39Seed(mnemonic: String, passphrase: String) -> Bytes {
    pbkdf2SHA512(
      password: Array(mnemonic.utf8), salt: Array(("mnemonic" + passphrase).utf8), iterations: 2048)
  }

  /// PBKDF2 (RFC 8018 §5.2) for one output block, which is all a 64-byte seed needs with
  /// SHA-512: T1 = U1 ^ U2 ^ ... with U1 = HMAC(P, S ‖ INT(1)) and Ui = HMAC(P, Ui-1).
  static func pbkdf2SHA512(password: Bytes, salt: Bytes, iterations: Int) -> Bytes {
    let key = SymmetricKey(data: password)
    var u = hmac(key, salt + [0, 0, 0, 1])
    var t = u
    for _ in 1..<iterations {
      u = hmac(key, u)
      for i in 0..<t.count { t[i] ^= u[i] }
    }
    return t
  }

  struct ExtendedKey {
    var key: Bytes
    var chainCode: Bytes
  }

  /// BIP-32: I = HMAC-SHA512("Bitcoin seed", seed); the left half is the key, the right
  /// half the chain code.
  static func masterKey(seed: Bytes) -> ExtendedKey {
    let i = hmac(SymmetricKey(data: Array("Bitcoin seed".utf8)), seed)
    return ExtendedKey(key: Array(i[0..<32]), chainCode: Array(i[32..<64]))
  }

  /// BIP-32 CKDpriv: a hardened index hashes the parent's private key, a normal one its
  /// compressed public key; the child key is parse256(IL) + k mod n. The spec's retry for
  /// IL ≥ n or a zero key (probability below 2^-127) is not implemented.
  static func child(of parent: ExtendedKey, index: UInt32) -> ExtendedKey {
    var data: Bytes
    if index & 0x8000_0000 != 0 {
      data = [0] + parent.key
    } else {
      data = compressedPublicKey(privateKey: parent.key)
    }
    data += [
      UInt8(index >> 24), UInt8(truncatingIfNeeded: index >> 16), UInt8(truncatingIfNeeded: index >> 8),
      UInt8(truncatingIfNeeded: index),
    ]
    let i = hmac(SymmetricKey(data: parent.chainCode), data)
    let il = UInt256(bigEndian: i[0..<32])
    let k = UInt256.addMod(il, UInt256(bigEndian: parent.key), Secp256k1.curveOrder)
    return ExtendedKey(key: k.bigEndianBytes, chainCode: Array(i[32..<64]))
  }

  /// SEC 1 compressed point: 0x02 or 0x03 by the parity of y, then x.
  static func compressedPublicKey(privateKey: Bytes) -> Bytes {
    guard let xy = Secp256k1.publicKey(privateKey: privateKey) else { return [] }
    return [xy[63] & 1 == 0 ? 0x02 : 0x03] + xy[0..<32]
  }

  private static func hmac(_ key: SymmetricKey, _ data: Bytes) -> Bytes {
    Array(HMAC<SHA512>.authenticationCode(for: data, using: key))
  }
}
