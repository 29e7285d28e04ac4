/// Four Keccak-256 hashes at once through `CKeccakX4`, as `Hash32`s: shared by the one-pass
/// builder (leaves hashed ahead) and the incremental trie (dirty nodes hashed in fours).
import BraidPrimitives
import CKeccakX4

enum FourWayKeccak {
  /// Whether this machine hashes four messages at once.
  static let available = braid_keccak_x4_available() != 0

  /// keccak256 of the four messages at `base`, `base + stride`, ..., with `lengths` bytes,
  /// which must all have the same number of whole 136-byte blocks (`length / 136`).
  static func hash(_ base: UnsafeRawPointer, stride: Int, lengths: (UInt, UInt, UInt, UInt))
    -> (Hash32, Hash32, Hash32, Hash32)
  {
    var lanes: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
      (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var lengths = lengths
    return withUnsafeMutableBytes(of: &lanes) { out in
      withUnsafeBytes(of: &lengths) { l in
        braid_keccak256_x4(
          base.assumingMemoryBound(to: UInt8.self), UInt(stride), l.baseAddress!.assumingMemoryBound(to: UInt.self),
          out.baseAddress!.assumingMemoryBound(to: UInt64.self))
      }
      func digest(_ k: Int) -> Hash32 {
        let lane = { (j: Int) in out.load(fromByteOffset: 8 * (4 * k + j), as: UInt64.self) }
        // As `KeccakState.digest`: lane 0 carries the most significant bytes.
        return Hash32(
          word: UInt256(
            w0: lane(3).byteSwapped, w1: lane(2).byteSwapped, w2: lane(1).byteSwapped, w3: lane(0).byteSwapped))
      }
      return (digest(0), digest(1), digest(2), digest(3))
    }
  }

  /// Hash `k` (0...3) of what `hash` returned.
  @inline(__always)
  static func element(_ k: Int, of hashes: (Hash32, Hash32, Hash32, Hash32)) -> Hash32 {
    switch k {
    case 0: hashes.0
    case 1: hashes.1
    case 2: hashes.2
    default: hashes.3
    }
  }
}

/// Many short messages hashed together: the keys of a block's new slots and accounts.
public enum BulkKeccak {
  /// keccak256 of `count` messages of `length` bytes each (`length` < 136), back to back
  /// from `messages`, into `out[0..<count]`: four at a time where the machine can.
  public static func hash(
    _ messages: UnsafeRawPointer, count: Int, length: Int, into out: UnsafeMutablePointer<Hash32>
  ) {
    precondition(length < Keccak256.blockSize, "BulkKeccak hashes messages of one block")
    var i = 0
    if FourWayKeccak.available {
      let l = UInt(length)
      while i + 4 <= count {
        let h = FourWayKeccak.hash(messages + i * length, stride: length, lengths: (l, l, l, l))
        out[i] = h.0
        out[i + 1] = h.1
        out[i + 2] = h.2
        out[i + 3] = h.3
        i += 4
      }
    }
    while i < count {
      out[i] = Keccak256.hash(UnsafeRawBufferPointer(start: messages + i * length, count: length))
      i += 1
    }
  }
}
