/// The Ethereum state and storage tries (Yellow Paper §4.1): secure tries keyed by the
/// Keccak-256 of an address or a 32-byte slot, with account leaves and RLP-wrapped slot
/// values.
import BraidPrimitives

public enum StateTrie {
  /// The storage root of one account. Key: keccak256 of the slot as 32 big-endian bytes;
  /// value: RLP of the value's minimal big-endian bytes. Zero values are not stored.
  public static func storageRoot(_ slots: [(UInt256, UInt256)]) -> Hash32 {
    var pairs: [(key: Hash32, value: Bytes)] = []
    pairs.reserveCapacity(slots.count)
    for (slot, value) in slots {
      // An empty value makes the builder drop the key, even over an earlier non-zero
      // write of the same slot, which is what a zero write means.
      pairs.append((Keccak256.hash(word: slot), value.isZero ? [] : RLP.encode(uint256: value)))
    }
    return MerklePatriciaTrie.root(hashedKeys: pairs)
  }

  /// An account leaf: RLP([nonce, balance, storageRoot, codeHash]).
  public static func accountRLP(nonce: UInt64, balance: UInt256, storageRoot: Hash32, codeHash: Hash32) -> Bytes {
    var w = RLPWriter(capacity: 80)
    w.appendList { w in
      w.append(uint: nonce)
      w.append(uint256: balance)
      w.append(hash: storageRoot)
      w.append(hash: codeHash)
    }
    return w.bytes
  }

  /// The state root. Key: keccak256(address); value: the account leaf. Every account
  /// given is stored, empty or not: removing empty accounts (EIP-161) is the caller's
  /// decision, made before the root is computed.
  public static func stateRoot(
    _ accounts: [(address: Address, nonce: UInt64, balance: UInt256, storageRoot: Hash32, codeHash: Hash32)]
  ) -> Hash32 {
    var pairs: [(key: Hash32, value: Bytes)] = []
    pairs.reserveCapacity(accounts.count)
    for a in accounts {
      let leaf = accountRLP(nonce: a.nonce, balance: a.balance, storageRoot: a.storageRoot, codeHash: a.codeHash)
      pairs.append((a.address.bytes.withUnsafeBytes { Keccak256.hash($0) }, leaf))
    }
    return MerklePatriciaTrie.root(hashedKeys: pairs)
  }
}
