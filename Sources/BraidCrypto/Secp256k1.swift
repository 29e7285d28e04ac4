/// ECDSA over secp256k1 through libsecp256k1: public-key recovery for transaction senders
/// and the ecrecover precompile, plus signing for tests and dev tooling.
import BraidPrimitives
import CSecp256k1

/// Owns the one libsecp256k1 context the process uses.
///
/// Creating a context costs far more than a signature operation, so it is made once.
final class Secp256k1Context: @unchecked Sendable {
  // @unchecked Sendable is safe: every libsecp256k1 call made through `raw` after init takes
  // a `const secp256k1_context *`, and the library documents contexts as safe to share
  // between threads for such const operations. The only mutating calls
  // (`secp256k1_context_randomize`, `_destroy`) happen in init and deinit, which no other
  // thread can overlap.
  let raw: OpaquePointer

  init() {
    // Since 0.2 every context can both sign and verify; the old SIGN/VERIFY flags are no-ops.
    guard let ctx = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
      fatalError("secp256k1_context_create failed")
    }
    // Blinding makes signing's timing independent of the secret key; it only matters for
    // `sign`, but must be done before the context is shared because it mutates it.
    var seed = [UInt8](repeating: 0, count: 32)
    var rng = SystemRandomNumberGenerator()
    for i in 0..<32 { seed[i] = UInt8.random(in: .min ... .max, using: &rng) }
    _ = secp256k1_context_randomize(ctx, seed)
    raw = ctx
  }

  deinit { secp256k1_context_destroy(raw) }
}

/// Created lazily on first use (Swift globals are initialised once, thread-safely).
let secp256k1Context = Secp256k1Context()

public enum Secp256k1 {
  /// The group order n.
  public static let curveOrder = UInt256(
    w0: 0xBFD2_5E8C_D036_4141, w1: 0xBAAE_DCE6_AF48_A03B, w2: 0xFFFF_FFFF_FFFF_FFFE, w3: 0xFFFF_FFFF_FFFF_FFFF
  )
  /// floor(n / 2): the largest s that EIP-2 allows in a transaction signature.
  public static let halfCurveOrder = UInt256(
    w0: 0xDFE9_2F46_681B_20A0, w1: 0x5D57_6E73_57A4_501D, w2: 0xFFFF_FFFF_FFFF_FFFF, w3: 0x7FFF_FFFF_FFFF_FFFF
  )

  /// EIP-2: transactions (not the ecrecover precompile) must have s ≤ n/2, which removes
  /// the malleability of (r, n - s).
  @inlinable public static func isLowS(_ s: UInt256) -> Bool { !(halfCurveOrder < s) }

  /// Whether r and s are both in [1, n - 1], the range any valid signature scalar lies in.
  @inlinable public static func isValidScalar(_ x: UInt256) -> Bool { !x.isZero && x < curveOrder }

  /// Recovers the signer's public key from a signature over a 32-byte hash.
  ///
  /// Returns the 64-byte uncompressed key (x ‖ y, without the 0x04 prefix) or nil when the
  /// signature is invalid: hash not 32 bytes, r or s zero or ≥ n, recovery id outside 0...3,
  /// or no curve point with that x. High s is accepted, as the ecrecover precompile requires;
  /// transaction validation adds `isLowS` itself.
  ///
  /// Safe to call concurrently from any number of threads.
  public static func recoverPublicKey(hash: Bytes, r: UInt256, s: UInt256, recoveryId: Int32) -> Bytes? {
    guard hash.count == 32, (0...3).contains(recoveryId), isValidScalar(r), isValidScalar(s) else {
      return nil
    }
    // Checked above because libsecp256k1 treats a bad recovery id as API misuse and aborts.
    var compact = [UInt8](repeating: 0, count: 64)
    compact.withUnsafeMutableBytes { buf in
      r.storeBigEndian(to: buf.baseAddress!)
      s.storeBigEndian(to: buf.baseAddress! + 32)
    }
    let ctx = secp256k1Context.raw
    var sig = secp256k1_ecdsa_recoverable_signature()
    guard secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &sig, compact, recoveryId) == 1 else {
      return nil
    }
    var pubkey = secp256k1_pubkey()
    guard secp256k1_ecdsa_recover(ctx, &pubkey, &sig, hash) == 1 else { return nil }
    return serializeUncompressed(pubkey)
  }

  /// Signs a 32-byte hash with a 32-byte private key (RFC 6979 deterministic nonce).
  ///
  /// The signature always has low s. Returns nil when the hash is not 32 bytes or the key is
  /// not in [1, n - 1]. For tests and development tooling: Braid itself never holds keys.
  public static func sign(hash: Bytes, privateKey: Bytes) -> (r: UInt256, s: UInt256, recoveryId: Int32)? {
    guard hash.count == 32, privateKey.count == 32 else { return nil }
    let ctx = secp256k1Context.raw
    var sig = secp256k1_ecdsa_recoverable_signature()
    guard secp256k1_ecdsa_sign_recoverable(ctx, &sig, hash, privateKey, nil, nil) == 1 else { return nil }
    var compact = [UInt8](repeating: 0, count: 64)
    var recid: Int32 = 0
    _ = secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, &compact, &recid, &sig)
    return (UInt256(bigEndian: compact[0..<32]), UInt256(bigEndian: compact[32..<64]), recid)
  }

  /// The 64-byte uncompressed public key (x ‖ y) of a 32-byte private key, nil if the key is
  /// not in [1, n - 1].
  public static func publicKey(privateKey: Bytes) -> Bytes? {
    guard privateKey.count == 32 else { return nil }
    var pubkey = secp256k1_pubkey()
    guard secp256k1_ec_pubkey_create(secp256k1Context.raw, &pubkey, privateKey) == 1 else { return nil }
    return serializeUncompressed(pubkey)
  }

  private static func serializeUncompressed(_ pubkey: secp256k1_pubkey) -> Bytes {
    var pubkey = pubkey
    var out = [UInt8](repeating: 0, count: 65)
    var length = 65
    _ = secp256k1_ec_pubkey_serialize(
      secp256k1Context.raw, &out, &length, &pubkey, UInt32(SECP256K1_EC_UNCOMPRESSED))
    return Array(out[1..<65])
  }
}
