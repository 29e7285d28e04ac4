/// EIP-196: the alt_bn128 ECADD (0x06) and ECMUL (0x07) precompiles. Vectors from
/// go-ethereum's core/vm/testdata/precompiles (bn256Add.json, bn256ScalarMul.json), plus
/// the failure cases the EIP defines and group-law properties.
import BraidCrypto
import BraidPrimitives
import Testing

@Suite struct EIP196BN254AddMulTests {
  typealias Points = BN254TestPoints

  /// r, the order of G1.
  static let order = "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001"
  /// r − 1, which negates.
  static let orderMinus1 = "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000000"
  /// r + 1.
  static let orderPlus1 = "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000002"

  /// Three points of G1 from the geth vectors.
  static let p1 = """
    1a87b0584ce92f4593d161480614f2989035225609f08058ccfa3d0f940febe3
    1a2f3c951f6dadcc7ee9007dff81504b0fcd6d7cf59996efdc33d92bf7f9f8f6
    """
  static let p2 = """
    17c139df0efee0f766bc0204762b774362e4ded88953a39ce849a8a7fa163fa9
    01e0559bacb160664764a357af8a9fe70baa9258e0b959273ffc5718c6d4cc7c
    """
  static let p3 = """
    039730ea8dff1254c0fee9c0ea777d29a9c710b7e616683f194f18c43b43b869
    073a5ffcc6fc7a28c30723d6e58ce577356982d65b833a5a5c15bf9024b43d98
    """

  static let gethAddVectors: [BN254Vector] = [
    BN254Vector(
      "chfast1",
      input: """
        18b18acfb4c2c30276db5411368e7185b311dd124691610c5d3b74034e093dc9
        063c909c4720840cb5134cb9f59fa749755796819658d32efc0d288198f37266
        07c2b7f58a84bd6145f00c9c2bc0bb1a187f20ff2c92963a88019e7c6a014eed
        06614e20c147e940f2d70da3f74c9a17df361706a4485c742bd6788478fa17d7
        """,
      expected: """
        2243525c5efd4b9c3d3c45ac0ca3fe4dd85e830a4ce6b65fa1eeaee202839703
        301d1d33be6da8e509df21cc35964723180eed7532537db9ae5e7d48f195c915
        """),
    BN254Vector(
      "chfast2",
      input: """
        2243525c5efd4b9c3d3c45ac0ca3fe4dd85e830a4ce6b65fa1eeaee202839703
        301d1d33be6da8e509df21cc35964723180eed7532537db9ae5e7d48f195c915
        18b18acfb4c2c30276db5411368e7185b311dd124691610c5d3b74034e093dc9
        063c909c4720840cb5134cb9f59fa749755796819658d32efc0d288198f37266
        """,
      expected: """
        2bd3e6d0f3b142924f5ca7b49ce5b9d54c4703d7ae5648e61d02268b1a0a9fb7
        21611ce0a6af85915e2f1d70300909ce2e49dfad4a4619c8390cae66cefdb204
        """),
    BN254Vector(
      "cdetrio1",
      input: """
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        """,
      expected: """
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        """),
    BN254Vector(
      "cdetrio2",
      input: """
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        """,
      expected: """
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        """),
    BN254Vector(
      "cdetrio3",
      input: """
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        00000000000000000000000000000000
        """,
      expected: """
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        """),
    BN254Vector(
      "cdetrio4",
      input: "",
      expected: """
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        """),
    BN254Vector(
      "cdetrio5",
      input: """
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        """,
      expected: """
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        """),
    BN254Vector(
      "cdetrio6",
      input: """
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000001
        0000000000000000000000000000000000000000000000000000000000000002
        """,
      expected: """
        0000000000000000000000000000000000000000000000000000000000000001
        0000000000000000000000000000000000000000000000000000000000000002
        """),
    BN254Vector(
      "cdetrio7",
      input: """
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000001
        0000000000000000000000000000000000000000000000000000000000000002
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        """,
      expected: """
        0000000000000000000000000000000000000000000000000000000000000001
        0000000000000000000000000000000000000000000000000000000000000002
        """),
    BN254Vector(
      "cdetrio8",
      input: """
        0000000000000000000000000000000000000000000000000000000000000001
        0000000000000000000000000000000000000000000000000000000000000002
        """,
      expected: """
        0000000000000000000000000000000000000000000000000000000000000001
        0000000000000000000000000000000000000000000000000000000000000002
        """),
    BN254Vector(
      "cdetrio9",
      input: """
        0000000000000000000000000000000000000000000000000000000000000001
        0000000000000000000000000000000000000000000000000000000000000002
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        """,
      expected: """
        0000000000000000000000000000000000000000000000000000000000000001
        0000000000000000000000000000000000000000000000000000000000000002
        """),
    BN254Vector(
      "cdetrio10",
      input: """
        0000000000000000000000000000000000000000000000000000000000000001
        0000000000000000000000000000000000000000000000000000000000000002
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        """,
      expected: """
        0000000000000000000000000000000000000000000000000000000000000001
        0000000000000000000000000000000000000000000000000000000000000002
        """),
    BN254Vector(
      "cdetrio11",
      input: """
        0000000000000000000000000000000000000000000000000000000000000001
        0000000000000000000000000000000000000000000000000000000000000002
        0000000000000000000000000000000000000000000000000000000000000001
        0000000000000000000000000000000000000000000000000000000000000002
        """,
      expected: """
        030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3
        15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4
        """),
    BN254Vector(
      "cdetrio12",
      input: """
        0000000000000000000000000000000000000000000000000000000000000001
        0000000000000000000000000000000000000000000000000000000000000002
        0000000000000000000000000000000000000000000000000000000000000001
        0000000000000000000000000000000000000000000000000000000000000002
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        """,
      expected: """
        030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3
        15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4
        """),
    BN254Vector(
      "cdetrio13",
      input: """
        17c139df0efee0f766bc0204762b774362e4ded88953a39ce849a8a7fa163fa9
        01e0559bacb160664764a357af8a9fe70baa9258e0b959273ffc5718c6d4cc7c
        039730ea8dff1254c0fee9c0ea777d29a9c710b7e616683f194f18c43b43b869
        073a5ffcc6fc7a28c30723d6e58ce577356982d65b833a5a5c15bf9024b43d98
        """,
      expected: """
        15bf2bb17880144b5d1cd2b1f46eff9d617bffd1ca57c37fb5a49bd84e53cf66
        049c797f9ce0d17083deb32b5e36f2ea2a212ee036598dd7624c168993d1355f
        """),
    BN254Vector(
      "cdetrio14",
      input: """
        17c139df0efee0f766bc0204762b774362e4ded88953a39ce849a8a7fa163fa9
        01e0559bacb160664764a357af8a9fe70baa9258e0b959273ffc5718c6d4cc7c
        17c139df0efee0f766bc0204762b774362e4ded88953a39ce849a8a7fa163fa9
        2e83f8d734803fc370eba25ed1f6b8768bd6d83887b87165fc2434fe11a830cb
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        """,
      expected: """
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        """),
  ]

  static let gethMulVectors: [BN254Vector] = [
    BN254Vector(
      "chfast1",
      input: """
        2bd3e6d0f3b142924f5ca7b49ce5b9d54c4703d7ae5648e61d02268b1a0a9fb7
        21611ce0a6af85915e2f1d70300909ce2e49dfad4a4619c8390cae66cefdb204
        00000000000000000000000000000000000000000000000011138ce750fa15c2
        """,
      expected: """
        070a8d6a982153cae4be29d434e8faef8a47b274a053f5a4ee2a6c9c13c31e5c
        031b8ce914eba3a9ffb989f9cdd5b0f01943074bf4f0f315690ec3cec6981afc
        """),
    BN254Vector(
      "chfast2",
      input: """
        070a8d6a982153cae4be29d434e8faef8a47b274a053f5a4ee2a6c9c13c31e5c
        031b8ce914eba3a9ffb989f9cdd5b0f01943074bf4f0f315690ec3cec6981afc
        30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd46
        """,
      expected: """
        025a6f4181d2b4ea8b724290ffb40156eb0adb514c688556eb79cdea0752c2bb
        2eff3f31dea215f1eb86023a133a996eb6300b44da664d64251d05381bb8a02e
        """),
    BN254Vector(
      "chfast3",
      input: """
        025a6f4181d2b4ea8b724290ffb40156eb0adb514c688556eb79cdea0752c2bb
        2eff3f31dea215f1eb86023a133a996eb6300b44da664d64251d05381bb8a02e
        183227397098d014dc2822db40c0ac2ecbc0b548b438e5469e10460b6c3e7ea3
        """,
      expected: """
        14789d0d4a730b354403b5fac948113739e276c23e0258d8596ee72f9cd9d323
        0af18a63153e0ec25ff9f2951dd3fa90ed0197bfef6e2a1a62b5095b9d2b4a27
        """),
    BN254Vector(
      "cdetrio1",
      input: """
        1a87b0584ce92f4593d161480614f2989035225609f08058ccfa3d0f940febe3
        1a2f3c951f6dadcc7ee9007dff81504b0fcd6d7cf59996efdc33d92bf7f9f8f6
        ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff
        """,
      expected: """
        2cde5879ba6f13c0b5aa4ef627f159a3347df9722efce88a9afbb20b763b4c41
        1aa7e43076f6aee272755a7f9b84832e71559ba0d2e0b17d5f9f01755e5b0d11
        """),
    BN254Vector(
      "cdetrio2",
      input: """
        1a87b0584ce92f4593d161480614f2989035225609f08058ccfa3d0f940febe3
        1a2f3c951f6dadcc7ee9007dff81504b0fcd6d7cf59996efdc33d92bf7f9f8f6
        30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000000
        """,
      expected: """
        1a87b0584ce92f4593d161480614f2989035225609f08058ccfa3d0f940febe3
        163511ddc1c3f25d396745388200081287b3fd1472d8339d5fecb2eae0830451
        """),
    BN254Vector(
      "cdetrio3",
      input: """
        1a87b0584ce92f4593d161480614f2989035225609f08058ccfa3d0f940febe3
        1a2f3c951f6dadcc7ee9007dff81504b0fcd6d7cf59996efdc33d92bf7f9f8f6
        0000000000000000000000000000000100000000000000000000000000000000
        """,
      expected: """
        1051acb0700ec6d42a88215852d582efbaef31529b6fcbc3277b5c1b300f5cf0
        135b2394bb45ab04b8bd7611bd2dfe1de6a4e6e2ccea1ea1955f577cd66af85b
        """),
    BN254Vector(
      "cdetrio4",
      input: """
        1a87b0584ce92f4593d161480614f2989035225609f08058ccfa3d0f940febe3
        1a2f3c951f6dadcc7ee9007dff81504b0fcd6d7cf59996efdc33d92bf7f9f8f6
        0000000000000000000000000000000000000000000000000000000000000009
        """,
      expected: """
        1dbad7d39dbc56379f78fac1bca147dc8e66de1b9d183c7b167351bfe0aeab74
        2cd757d51289cd8dbd0acf9e673ad67d0f0a89f912af47ed1be53664f5692575
        """),
    BN254Vector(
      "cdetrio5",
      input: """
        1a87b0584ce92f4593d161480614f2989035225609f08058ccfa3d0f940febe3
        1a2f3c951f6dadcc7ee9007dff81504b0fcd6d7cf59996efdc33d92bf7f9f8f6
        0000000000000000000000000000000000000000000000000000000000000001
        """,
      expected: """
        1a87b0584ce92f4593d161480614f2989035225609f08058ccfa3d0f940febe3
        1a2f3c951f6dadcc7ee9007dff81504b0fcd6d7cf59996efdc33d92bf7f9f8f6
        """),
    BN254Vector(
      "cdetrio6",
      input: """
        17c139df0efee0f766bc0204762b774362e4ded88953a39ce849a8a7fa163fa9
        01e0559bacb160664764a357af8a9fe70baa9258e0b959273ffc5718c6d4cc7c
        ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff
        """,
      expected: """
        29e587aadd7c06722aabba753017c093f70ba7eb1f1c0104ec0564e7e3e21f60
        22b1143f6a41008e7755c71c3d00b6b915d386de21783ef590486d8afa8453b1
        """),
    BN254Vector(
      "cdetrio7",
      input: """
        17c139df0efee0f766bc0204762b774362e4ded88953a39ce849a8a7fa163fa9
        01e0559bacb160664764a357af8a9fe70baa9258e0b959273ffc5718c6d4cc7c
        30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000000
        """,
      expected: """
        17c139df0efee0f766bc0204762b774362e4ded88953a39ce849a8a7fa163fa9
        2e83f8d734803fc370eba25ed1f6b8768bd6d83887b87165fc2434fe11a830cb
        """),
    BN254Vector(
      "cdetrio8",
      input: """
        17c139df0efee0f766bc0204762b774362e4ded88953a39ce849a8a7fa163fa9
        01e0559bacb160664764a357af8a9fe70baa9258e0b959273ffc5718c6d4cc7c
        0000000000000000000000000000000100000000000000000000000000000000
        """,
      expected: """
        221a3577763877920d0d14a91cd59b9479f83b87a653bb41f82a3f6f120cea7c
        2752c7f64cdd7f0e494bff7b60419f242210f2026ed2ec70f89f78a4c56a1f15
        """),
    BN254Vector(
      "cdetrio9",
      input: """
        17c139df0efee0f766bc0204762b774362e4ded88953a39ce849a8a7fa163fa9
        01e0559bacb160664764a357af8a9fe70baa9258e0b959273ffc5718c6d4cc7c
        0000000000000000000000000000000000000000000000000000000000000009
        """,
      expected: """
        228e687a379ba154554040f8821f4e41ee2be287c201aa9c3bc02c9dd12f1e69
        1e0fd6ee672d04cfd924ed8fdc7ba5f2d06c53c1edc30f65f2af5a5b97f0a76a
        """),
    BN254Vector(
      "cdetrio10",
      input: """
        17c139df0efee0f766bc0204762b774362e4ded88953a39ce849a8a7fa163fa9
        01e0559bacb160664764a357af8a9fe70baa9258e0b959273ffc5718c6d4cc7c
        0000000000000000000000000000000000000000000000000000000000000001
        """,
      expected: """
        17c139df0efee0f766bc0204762b774362e4ded88953a39ce849a8a7fa163fa9
        01e0559bacb160664764a357af8a9fe70baa9258e0b959273ffc5718c6d4cc7c
        """),
    BN254Vector(
      "cdetrio11",
      input: """
        039730ea8dff1254c0fee9c0ea777d29a9c710b7e616683f194f18c43b43b869
        073a5ffcc6fc7a28c30723d6e58ce577356982d65b833a5a5c15bf9024b43d98
        ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff
        """,
      expected: """
        00a1a234d08efaa2616607e31eca1980128b00b415c845ff25bba3afcb81dc00
        242077290ed33906aeb8e42fd98c41bcb9057ba03421af3f2d08cfc441186024
        """),
    BN254Vector(
      "cdetrio12",
      input: """
        039730ea8dff1254c0fee9c0ea777d29a9c710b7e616683f194f18c43b43b869
        073a5ffcc6fc7a28c30723d6e58ce577356982d65b833a5a5c15bf9024b43d98
        30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000000
        """,
      expected: """
        039730ea8dff1254c0fee9c0ea777d29a9c710b7e616683f194f18c43b43b869
        2929ee761a352600f54921df9bf472e66217e7bb0cee9032e00acc86b3c8bfaf
        """),
    BN254Vector(
      "cdetrio13",
      input: """
        039730ea8dff1254c0fee9c0ea777d29a9c710b7e616683f194f18c43b43b869
        073a5ffcc6fc7a28c30723d6e58ce577356982d65b833a5a5c15bf9024b43d98
        0000000000000000000000000000000100000000000000000000000000000000
        """,
      expected: """
        1071b63011e8c222c5a771dfa03c2e11aac9666dd097f2c620852c3951a4376a
        2f46fe2f73e1cf310a168d56baa5575a8319389d7bfa6b29ee2d908305791434
        """),
    BN254Vector(
      "cdetrio14",
      input: """
        039730ea8dff1254c0fee9c0ea777d29a9c710b7e616683f194f18c43b43b869
        073a5ffcc6fc7a28c30723d6e58ce577356982d65b833a5a5c15bf9024b43d98
        0000000000000000000000000000000000000000000000000000000000000009
        """,
      expected: """
        19f75b9dd68c080a688774a6213f131e3052bd353a304a189d7a2ee367e3c258
        2612f545fb9fc89fde80fd81c68fc7dcb27fea5fc124eeda69433cf5c46d2d7f
        """),
    BN254Vector(
      "cdetrio15",
      input: """
        039730ea8dff1254c0fee9c0ea777d29a9c710b7e616683f194f18c43b43b869
        073a5ffcc6fc7a28c30723d6e58ce577356982d65b833a5a5c15bf9024b43d98
        0000000000000000000000000000000000000000000000000000000000000001
        """,
      expected: """
        039730ea8dff1254c0fee9c0ea777d29a9c710b7e616683f194f18c43b43b869
        073a5ffcc6fc7a28c30723d6e58ce577356982d65b833a5a5c15bf9024b43d98
        """),
  ]

  /// Inputs EIP-196 rejects: coordinates not below p and points off the curve, in either
  /// operand, including ones the zero padding completes.
  static let addFailures: [BN254Vector] = [
    BN254Vector("x = p + 1 (reduces to the generator)", input: Points.pPlus1 + bn254Word(2) + Points.g1, expected: nil),
    BN254Vector("y = p + 2 (reduces to the generator)", input: bn254Word(1) + Points.pPlus2 + Points.g1, expected: nil),
    BN254Vector("infinity spelled (0, p)", input: Points.zero + Points.p + Points.g1, expected: nil),
    BN254Vector("first point off the curve", input: bn254Word(1) + bn254Word(3) + Points.g1, expected: nil),
    BN254Vector("second point off the curve", input: Points.g1 + bn254Word(1) + bn254Word(3), expected: nil),
    BN254Vector("off-curve point plus padding", input: bn254Word(1) + bn254Word(3), expected: nil),
    BN254Vector("second x = p, padded", input: Points.g1 + Points.p, expected: nil),
    BN254Vector("(0, 1) is not the encoding of infinity", input: Points.zero + bn254Word(1) + Points.g1, expected: nil),
    BN254Vector("all-ones coordinates", input: String(repeating: "f", count: 256), expected: nil),
  ]

  static let mulFailures: [BN254Vector] = [
    BN254Vector("point off the curve", input: bn254Word(1) + bn254Word(3) + bn254Word(2), expected: nil),
    BN254Vector("off the curve even for scalar 0", input: bn254Word(1) + bn254Word(3) + Points.zero, expected: nil),
    BN254Vector("x = p + 1", input: Points.pPlus1 + bn254Word(2) + bn254Word(1), expected: nil),
    BN254Vector("y = p + 2", input: bn254Word(1) + Points.pPlus2 + bn254Word(1), expected: nil),
    BN254Vector("infinity spelled (p, 0)", input: Points.p + Points.zero + bn254Word(1), expected: nil),
    BN254Vector("short input, point off the curve", input: bn254Word(2) + bn254Word(2), expected: nil),
  ]

  @Test("geth ECADD vectors", arguments: gethAddVectors)
  func gethAdd(_ vector: BN254Vector) {
    #expect(BN254.add(vector.inputBytes) == vector.expectedBytes)
  }

  @Test("geth ECMUL vectors", arguments: gethMulVectors)
  func gethMul(_ vector: BN254Vector) {
    #expect(BN254.mul(vector.inputBytes) == vector.expectedBytes)
  }

  @Test("ECADD rejects invalid points", arguments: addFailures)
  func addFailure(_ vector: BN254Vector) {
    #expect(BN254.add(vector.inputBytes) == nil)
  }

  @Test("ECMUL rejects invalid points", arguments: mulFailures)
  func mulFailure(_ vector: BN254Vector) {
    #expect(BN254.mul(vector.inputBytes) == nil)
  }

  @Test func inputBeyondTheFixedLengthIsIgnored() {
    let add = bn254Hex(Points.g1 + Points.g1)
    #expect(BN254.add(add + [0xff, 0xff]) == BN254.add(add))
    let mul = bn254Hex(Points.g1 + bn254Word(5))
    #expect(BN254.mul(mul + bn254Hex(String(repeating: "f", count: 64))) == BN254.mul(mul))
  }

  // MARK: Group-law properties, through the precompiles' own byte interface

  func add(_ a: Bytes, _ b: Bytes) -> Bytes? { BN254.add(a + b) }
  func mul(_ a: Bytes, _ k: String) -> Bytes? { BN254.mul(a + bn254Hex(k)) }

  @Test func additionIsAssociativeAndCommutative() throws {
    let (a, b, c) = (bn254Hex(Self.p1), bn254Hex(Self.p2), bn254Hex(Self.p3))
    let ab = try #require(add(a, b))
    let bc = try #require(add(b, c))
    #expect(add(ab, c) == add(a, bc))
    #expect(add(a, b) == add(b, a))
    // Associativity also through doubling: (a + a) + b = a + (a + b).
    let aa = try #require(add(a, a))
    #expect(add(aa, b) == add(a, ab))
  }

  @Test func pointPlusItsNegationIsInfinity() throws {
    let a = bn254Hex(Self.p2)
    let negated = try #require(mul(a, Self.orderMinus1))
    #expect(add(a, negated) == Bytes(repeating: 0, count: 64))
  }

  @Test(arguments: [p1, p2, p3, BN254TestPoints.g1])
  func multiplyingByTheGroupOrderGivesInfinity(_ point: String) {
    let a = bn254Hex(point)
    #expect(mul(a, Self.order) == Bytes(repeating: 0, count: 64))
    #expect(mul(a, Self.orderPlus1) == a)
    #expect(mul(a, BN254TestPoints.zero) == Bytes(repeating: 0, count: 64))
  }

  @Test func scalarMultiplicationDistributesOverScalarAddition() throws {
    let a = bn254Hex(Self.p3)
    let k1 = "1f2e3d4c5b6a798800112233445566778899aabbccddeeff0123456789abcdef"
    let k2 = "0a0b0c0d0e0f10111213141516171819202122232425262728292a2b2c2d2e2f"
    let sum = "2939495969798999122436485a6c7e90a8baccdef1031526294c6f92b5d8fc1e"
    let lhs = try #require(mul(a, sum))
    let k1a = try #require(mul(a, k1))
    let k2a = try #require(mul(a, k2))
    #expect(add(k1a, k2a) == lhs)
    let twice = try #require(mul(a, bn254Word(2)))
    #expect(add(a, a) == twice)
  }

  @Test func infinityIsTheIdentity() {
    let a = bn254Hex(Self.p1)
    let infinity = Bytes(repeating: 0, count: 64)
    #expect(add(a, infinity) == a)
    #expect(add(infinity, a) == a)
    #expect(mul(infinity, Self.order) == infinity)
    #expect(mul(infinity, bn254Word(7)) == infinity)
  }
}
