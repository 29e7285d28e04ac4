/// State and storage roots: the ethereum/tests secure-trie vector (a real five-account
/// state) both as raw pairs and through `StateTrie`, and larger roots cross-checked with
/// py-trie's HexaryTrie and pyrlp.
import BraidPrimitives
import BraidTrie
import Testing

private func hex(_ s: String) -> Bytes { try! Hex.decode(s) }
private func rootHex(_ h: Hash32) -> String { Hex.encode(h.bytes, prefix: false) }

/// hex_encoded_securetrie_test.json, test1: address -> account RLP.
private let secureTest1: [(String, String)] = [
  ("0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b", "0xf848018405f446a7a056e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421a0c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
  ("0x095e7baea6a6c7c4c2dfeb977efac326af552d87", "0xf8440101a056e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421a004bccc5d94f4d1f99aab44369a910179931772f2a5c001c3229f57831c102769"),
  ("0xd2571607e241ecf590ed94b12d87c94babe36db6", "0xf8440180a0ba4b47865c55a341a4a78759bb913cd15c3ee8eaf30a62fa8d1c8863113d84e8a0c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
  ("0x62c01474f089b07dae603491675dc5b5748f7049", "0xf8448080a056e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421a0c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
  ("0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba", "0xf8478083019a59a056e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421a0c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
]
private let secureTest1Root = "730a444e08ab4b8dee147c9b232fc52d34a223d600031c1e9d25bfc985cbd797"

@Test func secureTrieVectorFromRawPairs() {
  let pairs = secureTest1.map { (key: hex($0.0), value: hex($0.1)) }
  #expect(rootHex(MerklePatriciaTrie.secureRoot(pairs)) == secureTest1Root)
}

@Test func secureTrieVectorThroughAccountFields() throws {
  // Decoding each account and re-encoding it with `accountRLP` must give the same bytes
  // and the same state root.
  var accounts: [(address: Address, nonce: UInt64, balance: UInt256, storageRoot: Hash32, codeHash: Hash32)] = []
  for (a, rlp) in secureTest1 {
    let fields = try RLP.decode(hex(rlp)).asList()
    let account = (
      address: try Address(hex: a), nonce: try fields[0].asUInt64(), balance: try fields[1].asUInt256(),
      storageRoot: try fields[2].asHash32(), codeHash: try fields[3].asHash32())
    #expect(StateTrie.accountRLP(nonce: account.nonce, balance: account.balance, storageRoot: account.storageRoot, codeHash: account.codeHash) == hex(rlp))
    accounts.append(account)
  }
  #expect(rootHex(StateTrie.stateRoot(accounts)) == secureTest1Root)
  #expect(rootHex(StateTrie.stateRoot(accounts.reversed())) == secureTest1Root)
}

@Test func accountRLPMatchesPyRLP() {
  // rlp.encode([1, 10**18, EMPTY_TRIE, EMPTY_CODE]).
  let leaf = StateTrie.accountRLP(nonce: 1, balance: UInt256(1_000_000_000_000_000_000), storageRoot: .emptyTrie, codeHash: .emptyCode)
  #expect(Hex.encode(leaf, prefix: false) == "f84c01880de0b6b3a7640000a056e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421a0c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
}

/// Slots 0 = 1, 1 = 0 (absent), 2 = 2^255 + 7, 0xdeadbeef = 12345678901234567890, 5 = 0.
private let smallStorage: [(UInt256, UInt256)] = {
  let big: UInt256 = (UInt256.one << 255) &+ UInt256(7)
  let zero = UInt256.zero
  return [
    (zero, UInt256(1)), (UInt256(1), zero), (UInt256(2), big),
    (UInt256(0xdead_beef), UInt256(12_345_678_901_234_567_890)), (UInt256(5), zero),
  ]
}()

@Test func storageRootMatchesPyTrie() {
  #expect(rootHex(StateTrie.storageRoot(smallStorage)) == "fd9fdd745af752872cc9fafb92ccf7ae06a498bc98228c595c9042e49b5c2a43")
  #expect(StateTrie.storageRoot([]) == .emptyTrie)
  #expect(StateTrie.storageRoot([(UInt256(7), UInt256.zero)]) == .emptyTrie)
  // Slot i * 7919 holds (i * i + 1) % 1000, for i < 300 (a few are zero).
  var many: [(UInt256, UInt256)] = []
  for i in 0..<300 {
    let slot = UInt64(i * 7919), value = UInt64((i * i + 1) % 1000)
    many.append((UInt256(slot), UInt256(value)))
  }
  #expect(rootHex(StateTrie.storageRoot(many)) == "88b09ebcef41d72ab9f799377fb7b2c4a0776e9b5b5def95ece812f9606fa5e6")
}

@Test func zeroWriteRemovesAnEarlierSlotValue() {
  let one = UInt256(1), five = UInt256(5)
  let withoutSlot5 = StateTrie.storageRoot([(.zero, one)])
  #expect(StateTrie.storageRoot([(.zero, one), (five, UInt256(9)), (five, .zero)]) == withoutSlot5)
}

@Test func stateRootMatchesPyTrie() {
  // 200 accounts: addresses 0x01.., 0x02.., 0x03.. (20 equal bytes) and then the low 20
  // bytes of keccak256(i as 8 big-endian bytes); nonce i % 5; balance i ether unless
  // i % 3 == 0; every tenth has the small storage above; every seventh has code hash
  // keccak256([i]).
  let storage = StateTrie.storageRoot(smallStorage)
  var accounts: [(address: Address, nonce: UInt64, balance: UInt256, storageRoot: Hash32, codeHash: Hash32)] = []
  for i in 1...200 {
    let address: Address
    if i < 4 {
      address = Address(Bytes(repeating: UInt8(i), count: 20))
    } else {
      let be = (0..<8).map { UInt8(truncatingIfNeeded: UInt64(i) >> (56 - 8 * UInt64($0))) }
      address = Address(Keccak256.hash(be).bytes.suffix(20))
    }
    let balance = i % 3 == 0 ? UInt256.zero : UInt256(1_000_000_000_000_000_000) &* UInt256(UInt64(i))
    accounts.append((
      address: address, nonce: UInt64(i % 5), balance: balance,
      storageRoot: i % 10 == 0 ? storage : .emptyTrie,
      codeHash: i % 7 == 0 ? Keccak256.hash([UInt8(i)]) : .emptyCode))
  }
  #expect(rootHex(StateTrie.stateRoot(accounts)) == "c5c5825101ddc8b3f9f49cc88e750724c333a69375f00b06f6842db161350485")
}
