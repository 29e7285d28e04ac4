/// Keccak-256 of four messages at once, one per 64-bit element of 256-bit vectors
/// (AVX2, or AVX-512VL for its rotate instruction), chosen at run time: a trie's dirty
/// nodes whose children are done are independent of each other, and four permutations at
/// once cost about what 1.6 scalar ones (`KeccakState` of BraidPrimitives) do with AVX2,
/// and 0.7 with AVX-512VL (measured on an AMD EPYC, Zen 4). The permutation
/// is that one's, written over vectors (same lane complementing); padding and output follow
/// `Keccak256.hash`. Other machines report the four-way path unavailable. The same vector
/// code on one state is also `Keccak256`'s permutation where AVX-512VL is there
/// (`braid_keccak_f1600`).
#include "CKeccakX4.h"
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))

typedef uint64_t V __attribute__((vector_size(32)));

static const uint64_t roundConstants[24] = {
  0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808AULL, 0x8000000080008000ULL,
  0x000000000000808BULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
  0x000000000000008AULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000AULL,
  0x000000008000808BULL, 0x800000000000008BULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
  0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800AULL, 0x800000008000000AULL,
  0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

/// A macro rather than a function: a function taking vectors by value draws ABI warnings
/// when compiled without AVX, even where it is always inlined.
#define ROT(x, n) (((x) << (n)) | ((x) >> (64 - (n))))

/// Keccak-f[1600] on four states; inlined into each target-specific entry point below, so
/// that it is compiled once for AVX2 and once for AVX-512VL.
static inline __attribute__((always_inline)) void permute4(V *s) {
  V a0 = s[0];
  V a1 = ~s[1];
  V a2 = ~s[2];
  V a3 = s[3];
  V a4 = s[4];
  V a5 = s[5];
  V a6 = s[6];
  V a7 = s[7];
  V a8 = ~s[8];
  V a9 = s[9];
  V a10 = s[10];
  V a11 = s[11];
  V a12 = ~s[12];
  V a13 = s[13];
  V a14 = s[14];
  V a15 = s[15];
  V a16 = s[16];
  V a17 = ~s[17];
  V a18 = s[18];
  V a19 = s[19];
  V a20 = ~s[20];
  V a21 = s[21];
  V a22 = s[22];
  V a23 = s[23];
  V a24 = s[24];
  for (int round = 0; round < 24; round++) {
  V c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20;
  V c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21;
  V c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22;
  V c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23;
  V c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24;
  V d0 = c4 ^ ROT(c1, 1);
  V d1 = c0 ^ ROT(c2, 1);
  V d2 = c1 ^ ROT(c3, 1);
  V d3 = c2 ^ ROT(c4, 1);
  V d4 = c3 ^ ROT(c0, 1);
  V b0 = a0 ^ d0;
  V b1 = ROT(a6 ^ d1, 44);
  V b2 = ROT(a12 ^ d2, 43);
  V b3 = ROT(a18 ^ d3, 21);
  V b4 = ROT(a24 ^ d4, 14);
  V b5 = ROT(a3 ^ d3, 28);
  V b6 = ROT(a9 ^ d4, 20);
  V b7 = ROT(a10 ^ d0, 3);
  V b8 = ROT(a16 ^ d1, 45);
  V b9 = ROT(a22 ^ d2, 61);
  V b10 = ROT(a1 ^ d1, 1);
  V b11 = ROT(a7 ^ d2, 6);
  V b12 = ROT(a13 ^ d3, 25);
  V b13 = ROT(a19 ^ d4, 8);
  V b14 = ROT(a20 ^ d0, 18);
  V b15 = ROT(a4 ^ d4, 27);
  V b16 = ROT(a5 ^ d0, 36);
  V b17 = ROT(a11 ^ d1, 10);
  V b18 = ROT(a17 ^ d2, 15);
  V b19 = ROT(a23 ^ d3, 56);
  V b20 = ROT(a2 ^ d2, 62);
  V b21 = ROT(a8 ^ d3, 55);
  V b22 = ROT(a14 ^ d4, 39);
  V b23 = ROT(a15 ^ d0, 41);
  V b24 = ROT(a21 ^ d1, 2);
  a0 = b0 ^ (b1 | b2);
  a1 = b1 ^ (~b2 | b3);
  a2 = b2 ^ (b3 & b4);
  a3 = b3 ^ (b4 | b0);
  a4 = b4 ^ (b0 & b1);
  a5 = b5 ^ (b6 | b7);
  a6 = b6 ^ (b7 & b8);
  a7 = b7 ^ (b8 | ~b9);
  a8 = b8 ^ (b9 | b5);
  a9 = b9 ^ (b5 & b6);
  a10 = b10 ^ (b11 | b12);
  a11 = b11 ^ (b12 & b13);
  a12 = b12 ^ (~b13 & b14);
  a13 = ~b13 ^ (b14 | b10);
  a14 = b14 ^ (b10 & b11);
  a15 = b15 ^ (b16 & b17);
  a16 = b16 ^ (b17 | b18);
  a17 = b17 ^ (~b18 | b19);
  a18 = ~b18 ^ (b19 & b15);
  a19 = b19 ^ (b15 | b16);
  a20 = b20 ^ (~b21 & b22);
  a21 = ~b21 ^ (b22 | b23);
  a22 = b22 ^ (b23 & b24);
  a23 = b23 ^ (b24 | b20);
  a24 = b24 ^ (b20 & b21);
  a0 ^= (V){roundConstants[round], roundConstants[round], roundConstants[round], roundConstants[round]};
  }
  s[0] = a0;
  s[1] = ~a1;
  s[2] = ~a2;
  s[3] = a3;
  s[4] = a4;
  s[5] = a5;
  s[6] = a6;
  s[7] = a7;
  s[8] = ~a8;
  s[9] = a9;
  s[10] = a10;
  s[11] = a11;
  s[12] = ~a12;
  s[13] = a13;
  s[14] = a14;
  s[15] = a15;
  s[16] = a16;
  s[17] = ~a17;
  s[18] = a18;
  s[19] = a19;
  s[20] = ~a20;
  s[21] = a21;
  s[22] = a22;
  s[23] = a23;
  s[24] = a24;
}

/// Absorbs the four messages block by block, each block k into element k of the first 17
/// lanes (their last blocks padded: 0x01 after the message, 0x80 in the block's last
/// byte), and stores lanes 0...3. All four have the same number of blocks.
static inline __attribute__((always_inline)) void hash4(
  const unsigned char *base, unsigned long stride, const unsigned long lengths[4], uint64_t *out) {
  V s[25];
  for (int i = 0; i < 25; i++) s[i] = (V){0, 0, 0, 0};
  unsigned long blocks = lengths[0] / 136 + 1;
  uint64_t last[4][17];
  memset(last, 0, sizeof last);
  for (int k = 0; k < 4; k++) {
    unsigned long full = 136 * (blocks - 1);
    unsigned char *b = (unsigned char *)last[k];
    memcpy(b, base + k * stride + full, lengths[k] - full);
    b[lengths[k] - full] ^= 0x01;
    b[135] ^= 0x80;
  }
  for (unsigned long block = 0; block < blocks; block++) {
    // Byte pointers and memcpy: the messages need not be 8-byte aligned.
    const unsigned char *m[4];
    for (int k = 0; k < 4; k++) {
      m[k] = block + 1 < blocks ? base + k * stride + 136 * block : (const unsigned char *)last[k];
    }
    for (int i = 0; i < 17; i++) {
      uint64_t w[4];
      for (int k = 0; k < 4; k++) memcpy(&w[k], m[k] + 8 * i, 8);
      s[i] ^= (V){w[0], w[1], w[2], w[3]};
    }
    permute4(s);
  }
  for (int k = 0; k < 4; k++)
    for (int i = 0; i < 4; i++) out[4 * k + i] = s[i][k];
}

__attribute__((target("avx2"))) static void hash4AVX2(
  const unsigned char *base, unsigned long stride, const unsigned long lengths[4], uint64_t *out) {
  hash4(base, stride, lengths, out);
}

__attribute__((target("avx2,avx512f,avx512vl"))) static void hash4AVX512(
  const unsigned char *base, unsigned long stride, const unsigned long lengths[4], uint64_t *out) {
  hash4(base, stride, lengths, out);
}

int braid_keccak_x4_available(void) {
  return __builtin_cpu_supports("avx2") ? 1 : 0;
}

/// One state in element 0 of the four-way vectors. With AVX-512VL this beats the scalar
/// permutation: rotates are one instruction, and the 25 lanes and their temporaries fit
/// in 32 vector registers, where the scalar code spills to the stack every round.
__attribute__((target("avx2,avx512f,avx512vl"))) static void permute1AVX512(uint64_t *state) {
  V s[25];
  for (int i = 0; i < 25; i++) s[i] = (V){state[i], 0, 0, 0};
  permute4(s);
  for (int i = 0; i < 25; i++) state[i] = s[i][0];
}

int braid_keccak_f1600_available(void) {
  return __builtin_cpu_supports("avx512vl") ? 1 : 0;
}

void braid_keccak_f1600(unsigned long long *state) {
  permute1AVX512((uint64_t *)state);
}

void braid_keccak256_x4_avx2(
  const unsigned char *base, unsigned long stride, const unsigned long lengths[4], unsigned long long *lanes) {
  hash4AVX2(base, stride, lengths, (uint64_t *)lanes);
}

void braid_keccak256_x4(
  const unsigned char *base, unsigned long stride, const unsigned long lengths[4], unsigned long long *lanes) {
  if (__builtin_cpu_supports("avx512vl")) {
    hash4AVX512(base, stride, lengths, (uint64_t *)lanes);
  } else {
    hash4AVX2(base, stride, lengths, (uint64_t *)lanes);
  }
}

#else

int braid_keccak_x4_available(void) { return 0; }

int braid_keccak_f1600_available(void) { return 0; }

void braid_keccak_f1600(unsigned long long *state) { (void)state; }

void braid_keccak256_x4(
  const unsigned char *base, unsigned long stride, const unsigned long lengths[4], unsigned long long *lanes) {
  (void)base; (void)stride; (void)lengths; (void)lanes;
}

void braid_keccak256_x4_avx2(
  const unsigned char *base, unsigned long stride, const unsigned long lengths[4], unsigned long long *lanes) {
  (void)base; (void)stride; (void)lengths; (void)lanes;
}

#endif
