/// EIP-197: the alt_bn128 pairing check (0x08). Vectors from go-ethereum's
/// core/vm/testdata/precompiles/bn256Pairing.json, the failure cases the EIP defines
/// (length, field range, curve and subgroup membership), and bilinearity checked through
/// the precompile's own product-equals-one form.
@testable import BraidCrypto
import BraidPrimitives
import Testing

@Suite struct EIP197BN254PairingTests {
  typealias Points = BN254TestPoints
  static let one = bn254Word(1)
  static let zero = bn254Word(0)

  /// A point on the twist y² = x³ + 3/ξ with x = 1 that is not in the order-r subgroup.
  static let twistPointOutsideG2 = """
    0000000000000000000000000000000000000000000000000000000000000000
    0000000000000000000000000000000000000000000000000000000000000001
    0d1271953ed9ea0836846e70a1934187998c7f790cb4d7511b7f8da82de048a4
    2869111d5381f072f8e2728fdb825a51aadd70e52c9830e9ab4b871c0531f1bb
    """

  static let gethPairingVectors: [BN254Vector] = [
    BN254Vector(
      "jeff1",
      input: """
        1c76476f4def4bb94541d57ebba1193381ffa7aa76ada664dd31c16024c43f59
        3034dd2920f673e204fee2811c678745fc819b55d3e9d294e45c9b03a76aef41
        209dd15ebff5d46c4bd888e51a93cf99a7329636c63514396b4a452003a35bf7
        04bf11ca01483bfa8b34b43561848d28905960114c8ac04049af4b6315a41678
        2bb8324af6cfc93537a2ad1a445cfd0ca2a71acd7ac41fadbf933c2a51be344d
        120a2a4cf30c1bf9845f20c6fe39e07ea2cce61f0c9bb048165fe5e4de877550
        111e129f1cf1097710d41c4ac70fcdfa5ba2023c6ff1cbeac322de49d1b6df7c
        2032c61a830e3c17286de9462bf242fca2883585b93870a73853face6a6bf411
        198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2
        1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed
        090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b
        12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa
        """,
      expected: """
        0000000000000000000000000000000000000000000000000000000000000001
        """),
    BN254Vector(
      "jeff2",
      input: """
        2eca0c7238bf16e83e7a1e6c5d49540685ff51380f309842a98561558019fc02
        03d3260361bb8451de5ff5ecd17f010ff22f5c31cdf184e9020b06fa5997db84
        1213d2149b006137fcfb23036606f848d638d576a120ca981b5b1a5f9300b3ee
        2276cf730cf493cd95d64677bbb75fc42db72513a4c1e387b476d056f80aa75f
        21ee6226d31426322afcda621464d0611d226783262e21bb3bc86b537e986237
        096df1f82dff337dd5972e32a8ad43e28a78a96a823ef1cd4debe12b6552ea5f
        06967a1237ebfeca9aaae0d6d0bab8e28c198c5a339ef8a2407e31cdac516db9
        22160fa257a5fd5b280642ff47b65eca77e626cb685c84fa6d3b6882a283ddd1
        198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2
        1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed
        090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b
        12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa
        """,
      expected: """
        0000000000000000000000000000000000000000000000000000000000000001
        """),
    BN254Vector(
      "jeff3",
      input: """
        0f25929bcb43d5a57391564615c9e70a992b10eafa4db109709649cf48c50dd2
        16da2f5cb6be7a0aa72c440c53c9bbdfec6c36c7d515536431b3a865468acbba
        2e89718ad33c8bed92e210e81d1853435399a271913a6520736a4729cf0d51eb
        01a9e2ffa2e92599b68e44de5bcf354fa2642bd4f26b259daa6f7ce3ed57aeb3
        14a9a87b789a58af499b314e13c3d65bede56c07ea2d418d6874857b70763713
        178fb49a2d6cd347dc58973ff49613a20757d0fcc22079f9abd10c3baee24590
        1b9e027bd5cfc2cb5db82d4dc9677ac795ec500ecd47deee3b5da006d6d049b8
        11d7511c78158de484232fc68daf8a45cf217d1c2fae693ff5871e8752d73b21
        198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2
        1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed
        090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b
        12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa
        """,
      expected: """
        0000000000000000000000000000000000000000000000000000000000000001
        """),
    BN254Vector(
      "jeff4",
      input: """
        2f2ea0b3da1e8ef11914acf8b2e1b32d99df51f5f4f206fc6b947eae860eddb6
        068134ddb33dc888ef446b648d72338684d678d2eb2371c61a50734d78da4b72
        25f83c8b6ab9de74e7da488ef02645c5a16a6652c3c71a15dc37fe3a5dcb7cb1
        22acdedd6308e3bb230d226d16a105295f523a8a02bfc5e8bd2da135ac4c245d
        065bbad92e7c4e31bf3757f1fe7362a63fbfee50e7dc68da116e67d600d9bf68
        06d302580dc0661002994e7cd3a7f224e7ddc27802777486bf80f40e4ca3cfdb
        186bac5188a98c45e6016873d107f5cd131f3a3e339d0375e58bd6219347b008
        122ae2b09e539e152ec5364e7e2204b03d11d3caa038bfc7cd499f8176aacbee
        1f39e4e4afc4bc74790a4a028aff2c3d2538731fb755edefd8cb48d6ea589b5e
        283f150794b6736f670d6a1033f9b46c6f5204f50813eb85c8dc4b59db1c5d39
        140d97ee4d2b36d99bc49974d18ecca3e7ad51011956051b464d9e27d46cc25e
        0764bb98575bd466d32db7b15f582b2d5c452b36aa394b789366e5e3ca5aabd4
        15794ab061441e51d01e94640b7e3084a07e02c78cf3103c542bc5b298669f21
        1b88da1679b0b64a63b7e0e7bfe52aae524f73a55be7fe70c7e9bfc94b4cf0da
        1213d2149b006137fcfb23036606f848d638d576a120ca981b5b1a5f9300b3ee
        2276cf730cf493cd95d64677bbb75fc42db72513a4c1e387b476d056f80aa75f
        21ee6226d31426322afcda621464d0611d226783262e21bb3bc86b537e986237
        096df1f82dff337dd5972e32a8ad43e28a78a96a823ef1cd4debe12b6552ea5f
        """,
      expected: """
        0000000000000000000000000000000000000000000000000000000000000001
        """),
    BN254Vector(
      "jeff5",
      input: """
        20a754d2071d4d53903e3b31a7e98ad6882d58aec240ef981fdf0a9d22c5926a
        29c853fcea789887315916bbeb89ca37edb355b4f980c9a12a94f30deeed3021
        1213d2149b006137fcfb23036606f848d638d576a120ca981b5b1a5f9300b3ee
        2276cf730cf493cd95d64677bbb75fc42db72513a4c1e387b476d056f80aa75f
        21ee6226d31426322afcda621464d0611d226783262e21bb3bc86b537e986237
        096df1f82dff337dd5972e32a8ad43e28a78a96a823ef1cd4debe12b6552ea5f
        1abb4a25eb9379ae96c84fff9f0540abcfc0a0d11aeda02d4f37e4baf74cb0c1
        1073b3ff2cdbb38755f8691ea59e9606696b3ff278acfc098fa8226470d03869
        217cee0a9ad79a4493b5253e2e4e3a39fc2df38419f230d341f60cb064a0ac29
        0a3d76f140db8418ba512272381446eb73958670f00cf46f1d9e64cba057b53c
        26f64a8ec70387a13e41430ed3ee4a7db2059cc5fc13c067194bcc0cb49a9855
        2fd72bd9edb657346127da132e5b82ab908f5816c826acb499e22f2412d1a2d7
        0f25929bcb43d5a57391564615c9e70a992b10eafa4db109709649cf48c50dd2
        198a1f162a73261f112401aa2db79c7dab1533c9935c77290a6ce3b191f2318d
        198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2
        1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed
        090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b
        12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa
        """,
      expected: """
        0000000000000000000000000000000000000000000000000000000000000001
        """),
    BN254Vector(
      "jeff6",
      input: """
        1c76476f4def4bb94541d57ebba1193381ffa7aa76ada664dd31c16024c43f59
        3034dd2920f673e204fee2811c678745fc819b55d3e9d294e45c9b03a76aef41
        209dd15ebff5d46c4bd888e51a93cf99a7329636c63514396b4a452003a35bf7
        04bf11ca01483bfa8b34b43561848d28905960114c8ac04049af4b6315a41678
        2bb8324af6cfc93537a2ad1a445cfd0ca2a71acd7ac41fadbf933c2a51be344d
        120a2a4cf30c1bf9845f20c6fe39e07ea2cce61f0c9bb048165fe5e4de877550
        111e129f1cf1097710d41c4ac70fcdfa5ba2023c6ff1cbeac322de49d1b6df7c
        103188585e2364128fe25c70558f1560f4f9350baf3959e603cc91486e110936
        198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2
        1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed
        090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b
        12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa
        """,
      expected: """
        0000000000000000000000000000000000000000000000000000000000000000
        """),
    BN254Vector(
      "empty_data",
      input: "",
      expected: """
        0000000000000000000000000000000000000000000000000000000000000001
        """),
    BN254Vector(
      "one_point",
      input: """
        0000000000000000000000000000000000000000000000000000000000000001
        0000000000000000000000000000000000000000000000000000000000000002
        198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2
        1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed
        090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b
        12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa
        """,
      expected: """
        0000000000000000000000000000000000000000000000000000000000000000
        """),
    BN254Vector(
      "two_point_match_2",
      input: """
        0000000000000000000000000000000000000000000000000000000000000001
        0000000000000000000000000000000000000000000000000000000000000002
        198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2
        1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed
        090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b
        12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa
        0000000000000000000000000000000000000000000000000000000000000001
        0000000000000000000000000000000000000000000000000000000000000002
        198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2
        1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed
        275dc4a288d1afb3cbb1ac09187524c7db36395df7be3b99e673b13a075a65ec
        1d9befcd05a5323e6da4d435f3b617cdb3af83285c2df711ef39c01571827f9d
        """,
      expected: """
        0000000000000000000000000000000000000000000000000000000000000001
        """),
    BN254Vector(
      "two_point_match_3",
      input: """
        0000000000000000000000000000000000000000000000000000000000000001
        0000000000000000000000000000000000000000000000000000000000000002
        203e205db4f19b37b60121b83a7333706db86431c6d835849957ed8c3928ad79
        27dc7234fd11d3e8c36c59277c3e6f149d5cd3cfa9a62aee49f8130962b4b3b9
        195e8aa5b7827463722b8c153931579d3505566b4edf48d498e185f0509de152
        04bb53b8977e5f92a0bc372742c4830944a59b4fe6b1c0466e2a6dad122b5d2e
        030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3
        1a76dae6d3272396d0cbe61fced2bc532edac647851e3ac53ce1cc9c7e645a83
        198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2
        1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed
        090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b
        12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa
        """,
      expected: """
        0000000000000000000000000000000000000000000000000000000000000001
        """),
    BN254Vector(
      "two_point_match_4",
      input: """
        105456a333e6d636854f987ea7bb713dfd0ae8371a72aea313ae0c32c0bf1016
        0cf031d41b41557f3e7e3ba0c51bebe5da8e6ecd855ec50fc87efcdeac168bcc
        0476be093a6d2b4bbf907172049874af11e1b6267606e00804d3ff0037ec57fd
        3010c68cb50161b7d1d96bb71edfec9880171954e56871abf3d93cc94d745fa1
        14c059d74e5b6c4ec14ae5864ebe23a71781d86c29fb8fb6cce94f70d3de7a21
        01b33461f39d9e887dbb100f170a2345dde3c07e256d1dfa2b657ba5cd030427
        0000000000000000000000000000000000000000000000000000000000000001
        0000000000000000000000000000000000000000000000000000000000000002
        1a2c3013d2ea92e13c800cde68ef56a294b883f6ac35d25f587c09b1b3c635f7
        290158a80cd3d66530f74dc94c94adb88f5cdb481acca997b6e60071f08a115f
        2f997f3dbd66a7afe07fe7862ce239edba9e05c5afff7f8a1259c9733b2dfbb9
        29d1691530ca701b4a106054688728c9972c8512e9789e9567aae23e302ccd75
        """,
      expected: """
        0000000000000000000000000000000000000000000000000000000000000001
        """),
  ]

  /// ten_point_match_1 and _2 repeat a matching pair five times.
  static let tenPointVectors: [BN254Vector] = [
    BN254Vector(
      "ten_point_match_1",
      input: String(repeating: Points.g1 + Points.g2 + Points.g1 + Points.g2Negated, count: 5),
      expected: one),
    BN254Vector(
      "ten_point_match_2",
      input: String(repeating: gethPairingVectors[9].input, count: 5),  // two_point_match_3
      expected: one),
  ]

  static let failures: [BN254Vector] = [
    BN254Vector("length 191", input: String((Points.g1 + Points.g2).dropLast(2)), expected: nil),
    BN254Vector("length 193", input: Points.g1 + Points.g2 + "00", expected: nil),
    BN254Vector("only a G1 point", input: Points.g1, expected: nil),
    BN254Vector("G1 off the curve", input: bn254Word(1) + bn254Word(3) + Points.g2, expected: nil),
    BN254Vector("G1 x = p + 1", input: Points.pPlus1 + bn254Word(2) + Points.g2, expected: nil),
    BN254Vector(
      "G2 x_imag = p", input: Points.g1 + Points.p + String(Points.g2.filter { !$0.isWhitespace }.dropFirst(64)),
      expected: nil),
    BN254Vector(
      "G2 real and imaginary parts swapped",
      input: Points.g1
        + "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"
        + "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
        + "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa"
        + "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b",
      expected: nil),
    BN254Vector("G2 off the twist", input: Points.g1 + zero + one + zero + one, expected: nil),
    BN254Vector("G2 on the twist, outside the subgroup", input: Points.g1 + twistPointOutsideG2, expected: nil),
    BN254Vector(
      "G2 outside the subgroup, paired with G1 infinity", input: zero + zero + twistPointOutsideG2,
      expected: nil),
    BN254Vector(
      "G1 off the curve, paired with G2 infinity", input: bn254Word(1) + bn254Word(3) + zero + zero + zero + zero,
      expected: nil),
    BN254Vector(
      "valid first pair, invalid second",
      input: Points.g1 + Points.g2 + Points.g1 + twistPointOutsideG2, expected: nil),
  ]

  /// Pairs with an identity point contribute 1 but are still validated.
  static let identities: [BN254Vector] = [
    BN254Vector("G1 infinity", input: zero + zero + Points.g2, expected: one),
    BN254Vector("G2 infinity", input: Points.g1 + zero + zero + zero + zero, expected: one),
    BN254Vector("both infinity", input: String(repeating: "0", count: 384), expected: one),
    BN254Vector("identity pair next to a mismatch", input: zero + zero + Points.g2 + Points.g1 + Points.g2, expected: zero),
  ]

  @Test("geth pairing vectors", arguments: gethPairingVectors + tenPointVectors)
  func geth(_ vector: BN254Vector) {
    #expect(BN254.pairing(vector.inputBytes) == vector.expectedBytes)
  }

  @Test("pairing rejects invalid input", arguments: failures)
  func failure(_ vector: BN254Vector) {
    #expect(BN254.pairing(vector.inputBytes) == nil)
  }

  @Test("identity points", arguments: identities)
  func identity(_ vector: BN254Vector) {
    #expect(BN254.pairing(vector.inputBytes) == vector.expectedBytes)
  }

  // MARK: Bilinearity

  static let g1 = BN254G1(x: BN254Fp(1), y: BN254Fp(2))
  static let g2: BN254G2 = {
    let raw = bn254Hex(Points.g2)
    return raw.withUnsafeBytes { BN254.decodeG2($0.baseAddress!)! }
  }()

  /// The precompile's 192-byte encoding of one pair.
  static func encode(_ p: BN254G1, _ q: BN254G2) -> Bytes {
    var out = BN254.encodeG1(p)
    if let (x, y) = q.affine {
      for word in [x.c1, x.c0, y.c1, y.c0] { out += word.value.bigEndianBytes }
    } else {
      out += Bytes(repeating: 0, count: 128)
    }
    return out
  }

  static func check(_ pairs: [(BN254G1, BN254G2)]) -> Bytes? {
    BN254.pairing(pairs.flatMap { encode($0.0, $0.1) })
  }

  static let scalars: [(UInt256, UInt256)] = [
    (UInt256(2), UInt256(3)),
    (UInt256(w0: 0x0123_4567_89ab_cdef, w1: 0xfedc_ba98_7654_3210, w2: 0x1111, w3: 0),
     UInt256(w0: 0xdead_beef, w1: 0, w2: 0x0bad_cafe_f00d, w3: 0x0123_4567)),
  ]

  /// e(aP, bQ) = e(P, Q)^(ab), checked as e(aP, bQ) · e(−ab·P, Q) = 1 and, to show the check
  /// can fail, e(aP, bQ) · e(−(ab + 1)·P, Q) ≠ 1.
  @Test(arguments: scalars)
  func bilinearity(_ a: UInt256, _ b: UInt256) {
    let ab = UInt256.mulMod(a, b, BN254.groupOrder)
    let lhs = (Self.g1.multiplied(by: a), Self.g2.multiplied(by: b))
    #expect(Self.check([lhs, (Self.g1.multiplied(by: ab).negated, Self.g2)]) == bn254Hex(Self.one))
    #expect(Self.check([lhs, (Self.g1.negated, Self.g2.multiplied(by: ab))]) == bn254Hex(Self.one))
    let abPlus1 = UInt256.addMod(ab, UInt256(1), BN254.groupOrder)
    #expect(Self.check([lhs, (Self.g1.multiplied(by: abPlus1).negated, Self.g2)]) == bn254Hex(Self.zero))
  }

  /// The same identity on the pairing values themselves: e(aP, bQ) = e(abP, Q) = e(P, abQ),
  /// and e(P, Q) is not 1.
  @Test func pairingValuesAreBilinearAndNonDegenerate() throws {
    func value(_ p: BN254G1, _ q: BN254G2) throws -> BN254Fp12 {
      let (px, py) = try #require(p.affine)
      let (qx, qy) = try #require(q.affine)
      let pair = BN254Pairing.Pair(px: px, py: py, qx: qx, qy: qy)
      return BN254Pairing.finalExponentiation(BN254Pairing.millerLoop([pair]))
    }
    let (a, b) = (UInt256(6), UInt256(35))
    let base = try value(Self.g1, Self.g2)
    #expect(!base.isOne)
    let lhs = try value(Self.g1.multiplied(by: a), Self.g2.multiplied(by: b))
    #expect(lhs == (try value(Self.g1.multiplied(by: UInt256(210)), Self.g2)))
    #expect(lhs == (try value(Self.g1, Self.g2.multiplied(by: UInt256(210)))))
    // e(P, Q)^r = 1: the values lie in the order-r subgroup of F_p12*.
    var power = BN254Fp12.one
    var i = BN254.groupOrder.bitWidth - 1
    while i >= 0 {
      power = power.squared
      if (BN254.groupOrder[limb: i >> 6] >> UInt64(i & 63)) & 1 == 1 { power = power * base }
      i -= 1
    }
    #expect(power.isOne)
  }

  /// The endomorphism-based membership test agrees with its definition, r·Q = O, on
  /// subgroup points and on twist points outside it, including ones with only a cofactor
  /// component left ([r]T).
  @Test func fastSubgroupCheckAgreesWithMultiplicationByTheOrder() throws {
    let raw = bn254Hex(Self.twistPointOutsideG2)
    let t = try raw.withUnsafeBytes { raw -> BN254G2 in
      let x = BN254Fp2(BN254Fp(1), .zero)
      let y = BN254Fp2(
        try #require(BN254Fp(UInt256(bigEndianRaw: raw.baseAddress! + 96))),
        try #require(BN254Fp(UInt256(bigEndianRaw: raw.baseAddress! + 64))))
      #expect(BN254G2.isOnCurve(x: x, y: y))
      return BN254G2(x: x, y: y)
    }
    let inside = [Self.g2, Self.g2.multiplied(by: UInt256(12345)), Self.g2.psi]
    let outside = [
      t, t.multiplied(by: UInt256(7)), t + Self.g2, t.multiplied(by: BN254.groupOrder),
      t.multiplied(by: BN254.groupOrder) + Self.g2,
    ]
    for q in inside {
      #expect(q.multiplied(by: BN254.groupOrder).isInfinity)
      #expect(q.isInSubgroup)
    }
    for q in outside {
      #expect(!q.multiplied(by: BN254.groupOrder).isInfinity || q.isInfinity)
      #expect(!q.isInSubgroup)
    }
  }
}
