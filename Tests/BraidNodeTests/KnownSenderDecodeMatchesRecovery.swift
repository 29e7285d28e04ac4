/// `SignedTransaction.decode(_:sender:)`, the decode a stored block's transactions are read
/// with: the same transaction, hash and bytes as the recovering `decode(_:)` for every
/// transaction type, the same refusals short of the recovery, and the sender it is given.
/// Here rather than in BraidEVMTests because the signer (`TransactionSigner`) is in BraidRPC.
import BraidEVM
import BraidPrimitives
import BraidRPC
import Testing

@testable import BraidNode

struct KnownSenderDecodeMatchesRecovery {
  static let contract = Address(hi: 0xc0de, mid: 0, lo: 7)

  /// One signed transaction of each kind the node admits: legacy before and after EIP-155,
  /// EIP-2930 with an access list, EIP-1559, and a creation (no `to`).
  static func signedSamples() throws -> [(name: String, raw: Bytes, signer: Address)] {
    let list = [AccessListEntry(address: contract, storageKeys: [UInt256(1), UInt256(0xfeed)])]
    let samples: [(String, Transaction, Int)] = [
      (
        "type 0, EIP-155",
        .legacy(
          chainId: Fixture.chainId, nonce: 3, gasPrice: Fixture.gwei(2), gasLimit: 21_000,
          to: Fixture.recipient,
          value: UInt256(77), data: [], sender: .zero), 0
      ),
      (
        "type 0, no chain id",
        .legacy(
          chainId: nil, nonce: 0, gasPrice: Fixture.gwei(5), gasLimit: 50_000, to: contract, value: .zero,
          data: [1, 2, 3], sender: .zero), 1
      ),
      (
        "type 1",
        .legacy(
          type: 1, chainId: Fixture.chainId, nonce: 9, gasPrice: Fixture.gwei(4), gasLimit: 60_000,
          to: contract,
          value: UInt256(5), data: [0xa9, 0x05, 0x9c, 0xbb], accessList: list, sender: .zero), 2
      ),
      (
        "type 2",
        Transaction(
          type: 2, chainId: Fixture.chainId, nonce: 1, gasLimit: 90_000, maxFeePerGas: Fixture.gwei(30),
          maxPriorityFeePerGas: Fixture.gwei(2), to: contract, value: UInt256(1), data: [0xde, 0xad],
          accessList: list, sender: .zero), 3
      ),
      (
        "type 2, creation",
        Transaction(
          type: 2, chainId: Fixture.chainId, nonce: 0, gasLimit: 200_000, maxFeePerGas: Fixture.gwei(3),
          maxPriorityFeePerGas: Fixture.gwei(1), to: nil, value: .zero, data: [0x60, 0x00, 0x60, 0x00, 0xf3],
          sender: .zero), 0
      ),
    ]
    return try samples.map { (name, tx, key) in
      (name, try TransactionSigner.sign(tx, privateKey: Fixture.key(key)), Fixture.address(key))
    }
  }

  @Test func givesWhatRecoveryGivesForEveryType() throws {
    for (name, raw, signer) in try Self.signedSamples() {
      let recovered = try SignedTransaction.decode(raw)
      #expect(recovered.transaction.sender == signer, "\(name)")
      let known = try SignedTransaction.decode(raw, sender: recovered.transaction.sender)
      #expect(known.hash == recovered.hash, "\(name)")
      #expect(known.hash == Keccak256.hash(raw), "\(name)")
      #expect(known.raw == raw, "\(name)")
      let a = known.transaction
      let b = recovered.transaction
      #expect(a.type == b.type && a.chainId == b.chainId && a.nonce == b.nonce, "\(name)")
      #expect(a.gasLimit == b.gasLimit && a.maxFeePerGas == b.maxFeePerGas, "\(name)")
      #expect(a.maxPriorityFeePerGas == b.maxPriorityFeePerGas, "\(name)")
      #expect(
        a.to == b.to && a.value == b.value && a.data == b.data && a.accessList == b.accessList, "\(name)")
      #expect(a.sender == signer, "\(name)")
      // Every other field too, whatever `Transaction` holds now or later.
      #expect(String(describing: a) == String(describing: b), "\(name)")
    }
  }

  /// The sender is taken as given: no recovery runs (which is the point), so bytes signed by
  /// one key decode with whatever sender the caller names.
  @Test func takesTheSenderItIsGiven() throws {
    let (_, raw, signer) = try Self.signedSamples()[3]
    let other = Fixture.address(2)
    #expect(other != signer)
    #expect(try SignedTransaction.decode(raw, sender: other).transaction.sender == other)
  }

  /// Replaces the fields of `raw`'s RLP list, keeping its type byte.
  static func rewrite(_ raw: Bytes, _ edit: (inout [RLPItem]) -> Void) throws -> Bytes {
    let typed = raw[0] < 0xc0
    var fields = try RLP.decode(typed ? Array(raw.dropFirst()) : raw).asList()
    edit(&fields)
    return (typed ? [raw[0]] : []) + RLPItem.list(fields).encode()
  }

  /// Bytes every decode refuses before any recovery, each with what is wrong with it.
  static func refusedSamples() throws -> [(name: String, raw: Bytes)] {
    let samples = try Self.signedSamples()
    let legacy = samples[0].raw
    let dynamic = samples[3].raw
    let n = try UInt256(parsing: "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
    let bad: [(String, Bytes)] = [
      ("empty", []),
      ("type 4", [4] + dynamic.dropFirst()),
      ("trailing byte", dynamic + [0]),
      ("truncated", Array(dynamic.dropLast())),
      ("too few fields", try Self.rewrite(dynamic) { $0.removeLast() }),
      ("yParity 2", try Self.rewrite(dynamic) { $0[$0.count - 3] = .uint(2) }),
      ("r zero", try Self.rewrite(dynamic) { $0[$0.count - 2] = .bytes([]) }),
      ("s zero", try Self.rewrite(dynamic) { $0[$0.count - 1] = .bytes([]) }),
      (
        "high s",
        try Self.rewrite(dynamic) { f in
          let s = try! f[f.count - 1].asUInt256()
          f[f.count - 1] = .uint256(n &- s)
        }
      ),
      ("r not below n", try Self.rewrite(dynamic) { $0[$0.count - 2] = .uint256(n) }),
      ("legacy v 26", try Self.rewrite(legacy) { $0[6] = .uint(26) }),
      ("legacy v 30", try Self.rewrite(legacy) { $0[6] = .uint(30) }),
    ]
    return bad
  }

  @Test func refusesWhatRecoveryRefusesShortOfTheRecovery() throws {
    for (name, raw) in try Self.refusedSamples() {
      var recovering: TransactionDecodingError?
      var known: TransactionDecodingError?
      do { _ = try SignedTransaction.decode(raw) } catch { recovering = error }
      do { _ = try SignedTransaction.decode(raw, sender: Fixture.address(0)) } catch { known = error }
      #expect(recovering != nil, "\(name): decode accepted it")
      #expect(known == recovering, "\(name)")
    }
  }
}
