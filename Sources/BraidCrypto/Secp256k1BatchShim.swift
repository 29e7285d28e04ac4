/// Temporary stand-in for the batch recovery API that branch `ecrec` adds; removed when it
/// is merged.
import BraidPrimitives

public struct RecoveryInput: Sendable {
  public var hash: Hash32
  public var r: UInt256
  public var s: UInt256
  public var recoveryId: Int32
  public init(hash: Hash32, r: UInt256, s: UInt256, recoveryId: Int32) {
    self.hash = hash
    self.r = r
    self.s = s
    self.recoveryId = recoveryId
  }
}

extension Secp256k1 {
  public static func recoverPublicKeys(_ inputs: [RecoveryInput]) -> [Bytes?] {
    inputs.map { recoverPublicKey(hash: $0.hash.bytes, r: $0.r, s: $0.s, recoveryId: $0.recoveryId) }
  }
}
