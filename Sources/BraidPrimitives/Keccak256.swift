/// Keccak-256 (the pre-standard Keccak with 0x01 padding that Ethereum uses, not FIPS-202
/// SHA3-256). It sits on the EVM's hot path (SHA3, storage-slot hashing, every trie node),
/// so the 25-lane state lives in stored properties of a stack value, the permutation is
/// written out step by step for one round, and blocks are absorbed with unaligned
/// little-endian loads straight from the caller's buffer: no heap allocation per hash.
/// Reference: Keccak reference 3.0, §1.2 (Keccak-f[1600]) and §5.1 (pad10*1).
import CKeccakX4

public enum Keccak256 {
  /// The sponge rate for a 256-bit output: 1600 - 2 * 256 bits = 136 bytes.
  public static let blockSize = 136

  /// Hashes raw memory. Every other overload funnels into this one.
  public static func hash(_ data: UnsafeRawBufferPointer) -> Hash32 {
    var state = KeccakState()
    var p = data.baseAddress
    var remaining = data.count
    while remaining >= blockSize, let block = p {
      state.absorb(block)
      p = block + blockSize
      remaining -= blockSize
    }
    // The last, partial block (possibly empty) is copied into a zeroed stack block and
    // padded there: 0x01 after the message, 0x80 in the block's last byte (which may be the
    // same byte, giving 0x81, when 135 bytes remain).
    var last: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
               UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
      (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    withUnsafeMutableBytes(of: &last) { block in
      if remaining > 0, let tail = p { block.baseAddress!.copyMemory(from: tail, byteCount: remaining) }
      block[remaining] ^= 0x01
      block[blockSize - 1] ^= 0x80
      state.absorb(UnsafeRawPointer(block.baseAddress!))
    }
    return state.digest
  }

  public static func hash(_ bytes: Bytes) -> Hash32 {
    bytes.withUnsafeBytes { hash($0) }
  }

  /// Any byte collection: contiguous ones (slices, UTF-8 views of native strings) are
  /// hashed in place, others are copied once.
  public static func hash<C: Collection>(_ bytes: C) -> Hash32 where C.Element == UInt8 {
    if let h = bytes.withContiguousStorageIfAvailable({ hash(UnsafeRawBufferPointer($0)) }) { return h }
    return hash(Bytes(bytes))
  }

  /// keccak256 of a 32-byte big-endian word (storage keys of the secure trie, SHA3 of one
  /// word). The message fits one block, so the lanes are set directly.
  public static func hash(word: UInt256) -> Hash32 {
    var state = KeccakState()
    state.a0 = word.w3.byteSwapped
    state.a1 = word.w2.byteSwapped
    state.a2 = word.w1.byteSwapped
    state.a3 = word.w0.byteSwapped
    state.a4 = 0x01
    state.a16 = 0x80 << 56
    state.permute()
    return state.digest
  }

  /// keccak256(a ++ b) of two 32-byte big-endian words: the Solidity mapping slot
  /// keccak256(key ++ slot), computed without building the 64-byte buffer.
  public static func hash(_ a: UInt256, _ b: UInt256) -> Hash32 {
    var state = KeccakState()
    state.a0 = a.w3.byteSwapped
    state.a1 = a.w2.byteSwapped
    state.a2 = a.w1.byteSwapped
    state.a3 = a.w0.byteSwapped
    state.a4 = b.w3.byteSwapped
    state.a5 = b.w2.byteSwapped
    state.a6 = b.w1.byteSwapped
    state.a7 = b.w0.byteSwapped
    state.a8 = 0x01
    state.a16 = 0x80 << 56
    state.permute()
    return state.digest
  }
}

/// The Keccak-f[1600] state: lane (x, y) is `a(x + 5y)`, each lane a little-endian 64-bit
/// word of the byte stream. Stored properties rather than an array so that the whole
/// state stays in registers or on the stack.
struct KeccakState {
  var a0: UInt64 = 0, a1: UInt64 = 0, a2: UInt64 = 0, a3: UInt64 = 0, a4: UInt64 = 0
  var a5: UInt64 = 0, a6: UInt64 = 0, a7: UInt64 = 0, a8: UInt64 = 0, a9: UInt64 = 0
  var a10: UInt64 = 0, a11: UInt64 = 0, a12: UInt64 = 0, a13: UInt64 = 0, a14: UInt64 = 0
  var a15: UInt64 = 0, a16: UInt64 = 0, a17: UInt64 = 0, a18: UInt64 = 0, a19: UInt64 = 0
  var a20: UInt64 = 0, a21: UInt64 = 0, a22: UInt64 = 0, a23: UInt64 = 0, a24: UInt64 = 0

  @inline(__always)
  private func lane(_ p: UnsafeRawPointer, _ i: Int) -> UInt64 {
    UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))
  }

  /// XORs one 136-byte block into the first 17 lanes and permutes.
  @inline(__always)
  mutating func absorb(_ p: UnsafeRawPointer) {
    a0 ^= lane(p, 0)
    a1 ^= lane(p, 1)
    a2 ^= lane(p, 2)
    a3 ^= lane(p, 3)
    a4 ^= lane(p, 4)
    a5 ^= lane(p, 5)
    a6 ^= lane(p, 6)
    a7 ^= lane(p, 7)
    a8 ^= lane(p, 8)
    a9 ^= lane(p, 9)
    a10 ^= lane(p, 10)
    a11 ^= lane(p, 11)
    a12 ^= lane(p, 12)
    a13 ^= lane(p, 13)
    a14 ^= lane(p, 14)
    a15 ^= lane(p, 15)
    a16 ^= lane(p, 16)
    permute()
  }

  /// The first 32 bytes of the state. Lanes are little-endian and `Hash32` holds big-endian
  /// words, so each lane is byte-swapped; lane 0 carries the most significant bytes.
  var digest: Hash32 {
    Hash32(word: UInt256(w0: a3.byteSwapped, w1: a2.byteSwapped, w2: a1.byteSwapped, w3: a0.byteSwapped))
  }

  /// Whether `permute` runs the AVX-512VL permutation of `CKeccakX4` (measured on an AMD
  /// EPYC, Zen 4: see the commit that added it) rather than `scalarPermute`.
  static let vectorPermute = braid_keccak_f1600_available() != 0

  @inline(__always)
  mutating func permute() {
    if Self.vectorPermute { vectorPermute() } else { scalarPermute() }
  }

  /// The permutation of `CKeccakX4`, on a copy of the lanes in a homogeneous tuple (whose
  /// layout, unlike a struct's, Swift guarantees).
  mutating func vectorPermute() {
    var lanes: (
      UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
      UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64
    ) = (
      a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20, a21, a22,
      a23, a24
    )
    withUnsafeMutableBytes(of: &lanes) {
      braid_keccak_f1600($0.baseAddress!.assumingMemoryBound(to: UInt64.self))
    }
    (
      a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20, a21, a22,
      a23, a24
    ) = lanes
  }

  /// Keccak-f[1600]: 24 rounds of θ, ρ, π, χ, ι. The lanes are copied into locals so the
  /// optimiser can keep them in registers across the round; six of them are complemented
  /// on the way in and out (see χ), which θ and ρ carry through unchanged in effect.
  mutating func scalarPermute() {
    var a0 = self.a0
    var a1 = ~self.a1
    var a2 = ~self.a2
    var a3 = self.a3
    var a4 = self.a4
    var a5 = self.a5
    var a6 = self.a6
    var a7 = self.a7
    var a8 = ~self.a8
    var a9 = self.a9
    var a10 = self.a10
    var a11 = self.a11
    var a12 = ~self.a12
    var a13 = self.a13
    var a14 = self.a14
    var a15 = self.a15
    var a16 = self.a16
    var a17 = ~self.a17
    var a18 = self.a18
    var a19 = self.a19
    var a20 = ~self.a20
    var a21 = self.a21
    var a22 = self.a22
    var a23 = self.a23
    var a24 = self.a24
    for round in 0..<24 {
      // θ: each column's parity, folded into its neighbours.
      let c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20
      let c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21
      let c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22
      let c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23
      let c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24
      let d0 = c4 ^ rotl(c1, 1)
      let d1 = c0 ^ rotl(c2, 1)
      let d2 = c1 ^ rotl(c3, 1)
      let d3 = c2 ^ rotl(c4, 1)
      let d4 = c3 ^ rotl(c0, 1)
      // ρ and π: rotate each lane and move it to (y, 2x + 3y); b is indexed like a.
      let b0 = a0 ^ d0
      let b1 = rotl(a6 ^ d1, 44)
      let b2 = rotl(a12 ^ d2, 43)
      let b3 = rotl(a18 ^ d3, 21)
      let b4 = rotl(a24 ^ d4, 14)
      let b5 = rotl(a3 ^ d3, 28)
      let b6 = rotl(a9 ^ d4, 20)
      let b7 = rotl(a10 ^ d0, 3)
      let b8 = rotl(a16 ^ d1, 45)
      let b9 = rotl(a22 ^ d2, 61)
      let b10 = rotl(a1 ^ d1, 1)
      let b11 = rotl(a7 ^ d2, 6)
      let b12 = rotl(a13 ^ d3, 25)
      let b13 = rotl(a19 ^ d4, 8)
      let b14 = rotl(a20 ^ d0, 18)
      let b15 = rotl(a4 ^ d4, 27)
      let b16 = rotl(a5 ^ d0, 36)
      let b17 = rotl(a11 ^ d1, 10)
      let b18 = rotl(a17 ^ d2, 15)
      let b19 = rotl(a23 ^ d3, 56)
      let b20 = rotl(a2 ^ d2, 62)
      let b21 = rotl(a8 ^ d3, 55)
      let b22 = rotl(a14 ^ d4, 39)
      let b23 = rotl(a15 ^ d0, 41)
      let b24 = rotl(a21 ^ d1, 2)
      // χ, on lanes 1, 2, 8, 12, 17 and 20 held complemented ("lane complementing", Keccak
      // implementation overview §2.2): a[x] ^= ~a[x+1] & a[x+2] then needs one NOT per row
      // or two instead of five, the rest becoming AND or OR.
      a0 = b0 ^ (b1 | b2)
      a1 = b1 ^ (~b2 | b3)
      a2 = b2 ^ (b3 & b4)
      a3 = b3 ^ (b4 | b0)
      a4 = b4 ^ (b0 & b1)
      a5 = b5 ^ (b6 | b7)
      a6 = b6 ^ (b7 & b8)
      a7 = b7 ^ (b8 | ~b9)
      a8 = b8 ^ (b9 | b5)
      a9 = b9 ^ (b5 & b6)
      a10 = b10 ^ (b11 | b12)
      a11 = b11 ^ (b12 & b13)
      a12 = b12 ^ (~b13 & b14)
      a13 = ~b13 ^ (b14 | b10)
      a14 = b14 ^ (b10 & b11)
      a15 = b15 ^ (b16 & b17)
      a16 = b16 ^ (b17 | b18)
      a17 = b17 ^ (~b18 | b19)
      a18 = ~b18 ^ (b19 & b15)
      a19 = b19 ^ (b15 | b16)
      a20 = b20 ^ (~b21 & b22)
      a21 = ~b21 ^ (b22 | b23)
      a22 = b22 ^ (b23 & b24)
      a23 = b23 ^ (b24 | b20)
      a24 = b24 ^ (b20 & b21)
      // ι
      a0 ^= roundConstant(round)
    }
    self.a0 = a0
    self.a1 = ~a1
    self.a2 = ~a2
    self.a3 = a3
    self.a4 = a4
    self.a5 = a5
    self.a6 = a6
    self.a7 = a7
    self.a8 = ~a8
    self.a9 = a9
    self.a10 = a10
    self.a11 = a11
    self.a12 = ~a12
    self.a13 = a13
    self.a14 = a14
    self.a15 = a15
    self.a16 = a16
    self.a17 = ~a17
    self.a18 = a18
    self.a19 = a19
    self.a20 = ~a20
    self.a21 = a21
    self.a22 = a22
    self.a23 = a23
    self.a24 = a24
  }
}

@inline(__always)
private func rotl(_ x: UInt64, _ n: UInt64) -> UInt64 {
  x << n | x >> (64 - n)
}

/// ι's round constants, from the LFSR of the Keccak reference §1.2. A switch (which LLVM
/// lowers to a constant table) avoids the lazy-initialisation check of a global array.
@inline(__always)
private func roundConstant(_ i: Int) -> UInt64 {
  switch i {
  case 0: return 0x0000_0000_0000_0001
  case 1: return 0x0000_0000_0000_8082
  case 2: return 0x8000_0000_0000_808A
  case 3: return 0x8000_0000_8000_8000
  case 4: return 0x0000_0000_0000_808B
  case 5: return 0x0000_0000_8000_0001
  case 6: return 0x8000_0000_8000_8081
  case 7: return 0x8000_0000_0000_8009
  case 8: return 0x0000_0000_0000_008A
  case 9: return 0x0000_0000_0000_0088
  case 10: return 0x0000_0000_8000_8009
  case 11: return 0x0000_0000_8000_000A
  case 12: return 0x0000_0000_8000_808B
  case 13: return 0x8000_0000_0000_008B
  case 14: return 0x8000_0000_0000_8089
  case 15: return 0x8000_0000_0000_8003
  case 16: return 0x8000_0000_0000_8002
  case 17: return 0x8000_0000_0000_0080
  case 18: return 0x0000_0000_0000_800A
  case 19: return 0x8000_0000_8000_000A
  case 20: return 0x8000_0000_8000_8081
  case 21: return 0x8000_0000_0000_8080
  case 22: return 0x0000_0000_8000_0001
  default: return 0x8000_0000_8000_8008
  }
}
