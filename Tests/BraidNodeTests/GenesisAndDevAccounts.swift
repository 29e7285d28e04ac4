import BraidEVM
import BraidPrimitives
import Testing

@testable import BraidNode

@Suite struct GenesisAndDevAccounts {
  @Test func devAccountsMatchAnvilAndHardhat() throws {
    let genesis = Genesis.dev()
    #expect(genesis.chainId == 1337)
    #expect(genesis.alloc.count == 10)
    let first = try Address(hex: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
    let second = try Address(hex: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
    #expect(genesis.alloc[first]?.balance == UInt256(10_000) &* UInt256(1_000_000_000_000_000_000))
    #expect(genesis.alloc[second] != nil)
    // The first key is the one every tutorial prints.
    #expect(
      Hex.encode(genesis.devKeys[0]) == "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
  }

  @Test func pbkdf2MatchesRFC6070StyleVector() {
    // The widely published PBKDF2-HMAC-SHA512 vector for ("password", "salt", 1 round).
    let out = DevAccounts.pbkdf2SHA512(
      password: Array("password".utf8), salt: Array("salt".utf8), iterations: 1)
    #expect(Hex.encode(out.prefix(8)) == "0x867f70cf1ade02cf")
  }

  @Test func parsesGethGenesis() throws {
    let json = """
      {"config": {"chainId": 42}, "gasLimit": "0x1c9c380", "baseFeePerGas": "0x7", "timestamp": "0x10",
       "coinbase": "0x00000000000000000000000000000000000000aa",
       "alloc": {"0000000000000000000000000000000000000001": {"balance": "1000", "nonce": "0x2",
         "code": "0x6001", "storage": {"0x01": "0x05"}}}}
      """
    let g = try Genesis.parse(Array(json.utf8))
    #expect(g.chainId == 42)
    #expect(g.gasLimit == 30_000_000)
    #expect(g.baseFee == UInt256(7))
    #expect(g.timestamp == 16)
    let account = try #require(g.alloc[try Address(hex: "0x0000000000000000000000000000000000000001")])
    #expect(account.balance == UInt256(1000))
    #expect(account.nonce == 2)
    #expect(account.code.bytes == [0x60, 0x01])
    #expect(account.storage[UInt256(1)] == UInt256(5))
  }

  @Test func parsesBenchBlockPreAndEnv() throws {
    let json = """
      {"env": {"chainId": "0x1", "number": "0x1", "timestamp": "0x100", "coinbase": "0xc0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0",
        "baseFee": "0x3b9aca00", "gasLimit": "0x3b9aca00"},
       "pre": {"0xe64fb0c01fd17b93e247770a2b03d7fb8dde1e46": {"balance": "0x10", "nonce": "0x0", "code": "0x", "storage": {}}},
       "transactions": []}
      """
    let g = try Genesis.parse(Array(json.utf8))
    #expect(g.chainId == 1)
    #expect(g.gasLimit == 1_000_000_000)
    #expect(g.baseFee == UInt256(1_000_000_000))
    // Genesis sits one second before the block the file describes.
    #expect(g.timestamp == 0xff)
    #expect(g.firstBlockBaseFee == UInt256(1_000_000_000))
    #expect(g.alloc.count == 1)
  }

  @Test func missingChainIdIsAnError() {
    #expect(throws: Genesis.ParseError.self) { try Genesis.parse(Array("{\"alloc\": {}}".utf8)) }
  }
}
