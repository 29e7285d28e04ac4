/// SHA-256 (FIPS 180-4) for the 0x02 precompile, delegated to swift-crypto, which uses
/// BoringSSL's assembly on Linux.
import BraidPrimitives
import Crypto

/// Namespace for the hash functions the precompiles expose (Keccak-256 lives in
/// BraidPrimitives, since state commitment needs it below this layer).
public enum Hashes {
  /// The 32-byte SHA-256 digest of `data`.
  public static func sha256(_ data: Bytes) -> Bytes {
    Array(SHA256.hash(data: data))
  }
}
