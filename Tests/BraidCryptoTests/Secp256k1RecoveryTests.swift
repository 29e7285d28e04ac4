/// Public-key recovery, signing and key derivation on secp256k1, including the ecrecover
/// rules (high s accepted, out-of-range scalars and recovery ids rejected) and EIP-2's low-s
/// check for transactions.
import BraidCrypto
import BraidPrimitives
import Testing

/// The well-known test key whose address is 0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b.
/// Its public key was computed independently with coincurve (a libsecp256k1 binding) and
/// checked against that address with Keccak-256 there, since Keccak is not in this module.
private let testKey = try! Hex.decode("0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8")
private let testPublicKey = try! Hex.decode(
  "0x3a514176466fa815ed481ffad09110a2d344f6c9b78c1d14afc351c3a51be33d"
    + "8072e77939dc03ba44790779b7a1025baf3003f6732430e20cd9b76d953391b3")

private let hashOfBytes0to31 = Bytes(0..<32)

@Test func publicKeyOfKnownPrivateKey() {
  #expect(Secp256k1.publicKey(privateKey: testKey) == testPublicKey)
}

@Test func publicKeyOfOneIsTheGenerator() throws {
  let one = Bytes(repeating: 0, count: 31) + [1]
  let g = try Hex.decode(
    "0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
      + "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8")
  #expect(Secp256k1.publicKey(privateKey: one) == g)
}

@Test func invalidPrivateKeysHaveNoPublicKey() {
  #expect(Secp256k1.publicKey(privateKey: Bytes(repeating: 0, count: 32)) == nil)
  #expect(Secp256k1.publicKey(privateKey: Secp256k1.curveOrder.bigEndianBytes) == nil)
  #expect(Secp256k1.publicKey(privateKey: Bytes(repeating: 1, count: 31)) == nil)
}

@Test func signatureMatchesReferenceImplementation() throws {
  // RFC 6979 makes signing deterministic, so the signature itself is a known answer
  // (coincurve's sign_recoverable of the same hash and key).
  let sig = try #require(Secp256k1.sign(hash: hashOfBytes0to31, privateKey: testKey))
  #expect(
    sig.r == (try UInt256(parsing: "0xd3e8ae112b5f8a34e15b650fa9f966ea8dcb82b2a8f60bf84cf500c21802a22a")))
  #expect(
    sig.s == (try UInt256(parsing: "0x5a944315a552e332c3439bef6565616bd298ff24d425f0fe5b5ba582f768b71a")))
  #expect(sig.recoveryId == 0)
}

@Test func signThenRecoverRoundTrips() throws {
  var key = testKey
  for i in 0..<20 {
    key[31] = UInt8(i)
    let hash = Bytes((0..<32).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ i) })
    let sig = try #require(Secp256k1.sign(hash: hash, privateKey: key))
    #expect(Secp256k1.isLowS(sig.s))
    let recovered = Secp256k1.recoverPublicKey(hash: hash, r: sig.r, s: sig.s, recoveryId: sig.recoveryId)
    #expect(recovered != nil)
    #expect(recovered == Secp256k1.publicKey(privateKey: key))
  }
}

/// The classic ecrecover precompile vector (v = 28, so recovery id 1), whose signer is
/// 0x7156526fbd7a3c72969b54f64e42c10fbb768c8a; public key from coincurve.
private let ecrecoverHash = try! Hex.decode(
  "0x456e9aea5e197a1f1af7a3e85a3212fa4049a3ba34c2289b4c860fc0b0c64ef3")
private let ecrecoverR = try! UInt256(
  parsing: "0x9242685bf161793cc25603c231bc2f568eb630ea16aa137d2664ac8038825608")
private let ecrecoverS = try! UInt256(
  parsing: "0x4f8ae3bd7535248d0bd448298cc2e2071e56992d0774dc340c368ae950852ada")
private let ecrecoverPublicKey = try! Hex.decode(
  "0xf57c1d4c961024e998eaec4b6bebec90e788ef5ade22e636ce76111b60db107d"
    + "4c3404b9908a2f357c84ccb48cf412be41d09574a9291c9c7eb5173ccf2a339f")

@Test func recoversKnownEcrecoverVector() {
  let key = Secp256k1.recoverPublicKey(hash: ecrecoverHash, r: ecrecoverR, s: ecrecoverS, recoveryId: 1)
  #expect(key == ecrecoverPublicKey)
  // The other recovery id names the other candidate point: a valid key, but not this one.
  let other = Secp256k1.recoverPublicKey(hash: ecrecoverHash, r: ecrecoverR, s: ecrecoverS, recoveryId: 0)
  #expect(other != nil && other != ecrecoverPublicKey)
}

@Test func highSIsAcceptedForRecoveryButIsNotLowS() {
  // (r, n - s) with the recovery id flipped is the same signer: ecrecover accepts it.
  let highS = Secp256k1.curveOrder - ecrecoverS
  #expect(!Secp256k1.isLowS(highS))
  #expect(Secp256k1.isLowS(ecrecoverS))
  let key = Secp256k1.recoverPublicKey(hash: ecrecoverHash, r: ecrecoverR, s: highS, recoveryId: 0)
  #expect(key == ecrecoverPublicKey)
}

@Test func lowSBoundaryIsHalfTheOrder() {
  #expect(Secp256k1.halfCurveOrder == Secp256k1.curveOrder >> 1)
  #expect(Secp256k1.isLowS(Secp256k1.halfCurveOrder))
  #expect(!Secp256k1.isLowS(Secp256k1.halfCurveOrder &+ .one))
}

@Test func outOfRangeSignatureValuesAreRejected() {
  let n = Secp256k1.curveOrder
  let r = ecrecoverR
  let s = ecrecoverS
  let h = ecrecoverHash
  #expect(Secp256k1.recoverPublicKey(hash: h, r: .zero, s: s, recoveryId: 1) == nil)
  #expect(Secp256k1.recoverPublicKey(hash: h, r: r, s: .zero, recoveryId: 1) == nil)
  #expect(Secp256k1.recoverPublicKey(hash: h, r: n, s: s, recoveryId: 1) == nil)
  #expect(Secp256k1.recoverPublicKey(hash: h, r: r, s: n, recoveryId: 1) == nil)
  #expect(Secp256k1.recoverPublicKey(hash: h, r: .max, s: s, recoveryId: 1) == nil)
  #expect(Secp256k1.recoverPublicKey(hash: h, r: r, s: .max, recoveryId: 1) == nil)
  for recid: Int32 in [-1, 4, 27, 28, .max] {
    #expect(Secp256k1.recoverPublicKey(hash: h, r: r, s: s, recoveryId: recid) == nil)
  }
  #expect(Secp256k1.recoverPublicKey(hash: Array(h.dropLast()), r: r, s: s, recoveryId: 1) == nil)
}

@Test func rWithNoCurvePointIsRejected() throws {
  // x = 5 is not the x-coordinate of any point: 5³ + 7 = 132 is not a square mod p.
  let key = Secp256k1.recoverPublicKey(hash: ecrecoverHash, r: UInt256(5), s: ecrecoverS, recoveryId: 0)
  #expect(key == nil)
}

@Test func recoveryIsSafeFromManyThreadsAtOnce() async {
  let results = await withTaskGroup(of: Bool.self) { group in
    for _ in 0..<64 {
      group.addTask {
        (0..<50).allSatisfy { _ in
          Secp256k1.recoverPublicKey(hash: ecrecoverHash, r: ecrecoverR, s: ecrecoverS, recoveryId: 1)
            == ecrecoverPublicKey
        }
      }
    }
    var all: [Bool] = []
    for await ok in group { all.append(ok) }
    return all
  }
  #expect(results.count == 64 && results.allSatisfy { $0 })
}
