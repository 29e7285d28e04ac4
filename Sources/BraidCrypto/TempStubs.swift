import BraidPrimitives
public enum ModExp { public static func gasCost(input: Bytes) -> UInt64 { 200 }; public static func run(input: Bytes) -> Bytes? { nil } }
public enum Hashes { public static func sha256(_ b: Bytes) -> Bytes? { nil } }
public enum RIPEMD160 { public static func hash(_ b: Bytes) -> Bytes { [] } }
public enum BN254 { public static func add(_ b: Bytes) -> Bytes? { nil }; public static func mul(_ b: Bytes) -> Bytes? { nil }; public static func pairing(_ b: Bytes) -> Bytes? { nil } }
public enum Blake2F { public static func compress(_ b: Bytes) -> Bytes? { nil } }
public enum Secp256k1 { public static func recoverPublicKey(hash: Bytes, r: UInt256, s: UInt256, recoveryId: Int32) -> Bytes? { nil } }
