/// Four Keccak-256 hashes at once on x86-64 with AVX2, and one Keccak-f[1600] permutation
/// with AVX-512VL (see KeccakX4.c).
#ifndef CKECCAKX4_H
#define CKECCAKX4_H

/// 1 when `braid_keccak256_x4` may be called on this machine, 0 otherwise.
int braid_keccak_x4_available(void);

/// keccak256 of four messages of the same number of 136-byte blocks (`lengths[k] / 136` is
/// the same for all four), message k at `base + k * stride` with `lengths[k]` bytes. `lanes` receives 16 words: for message k, words 4k...4k+3 are
/// the first four lanes of its final state (little-endian, as Keccak defines them).
void braid_keccak256_x4(
  const unsigned char *base, unsigned long stride, const unsigned long lengths[4], unsigned long long *lanes);

/// The same on the AVX2 code whatever the machine has, so that tests on a machine with
/// AVX-512 (where `braid_keccak256_x4` takes the AVX-512 code) check it too.
void braid_keccak256_x4_avx2(
  const unsigned char *base, unsigned long stride, const unsigned long lengths[4], unsigned long long *lanes);

/// 1 when `braid_keccak_f1600` may be called on this machine (x86-64 with AVX-512VL).
int braid_keccak_f1600_available(void);

/// Keccak-f[1600] on one state of 25 lanes, in place.
void braid_keccak_f1600(unsigned long long *state);

#endif
