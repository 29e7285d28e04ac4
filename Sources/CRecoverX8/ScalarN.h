/// Arithmetic modulo the secp256k1 group order n on one scalar at a time (four 64-bit
/// little-endian words): the per-lane u1, u2 of recovery. Variable time (public data).
#ifndef BRAID_SCALARN_H
#define BRAID_SCALARN_H
#include <stdint.h>

/// Big-endian 32 bytes to four little-endian words.
void braid_sn_from_be(uint64_t r[4], const unsigned char *be);
/// 1 when 1 ≤ a < n.
int braid_sn_is_valid(const uint64_t a[4]);
/// a mod n for any 256-bit a (a < 2^256 < 2n, so one subtraction at most).
void braid_sn_reduce_once(uint64_t r[4], const uint64_t a[4]);
/// a * b mod n, for a, b < n.
void braid_sn_mul(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]);
/// n - a mod n (0 stays 0), for a < n.
void braid_sn_negate(uint64_t r[4], const uint64_t a[4]);
/// a + b mod n, for a, b < n.
void braid_sn_add(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]);
/// GLV split: k ≡ ±k1 ± k2·λ (mod n) with λ the cube root of unity for which
/// λ·(x, y) = (β·x, y); neg1/neg2 give the signs, k1 and k2 the magnitudes. Returns 1 when
/// both magnitudes are below 2^128 (always, for the rounding used; 0 means "do not use").
int braid_sn_split_lambda(const uint64_t k[4], uint64_t k1[4], int *neg1, uint64_t k2[4], int *neg2);
/// In-place inverses of count nonzero scalars below n, with one inversion in all
/// (Montgomery's trick). count ≤ 8.
void braid_sn_batch_invert(uint64_t (*a)[4], int count);

#endif
