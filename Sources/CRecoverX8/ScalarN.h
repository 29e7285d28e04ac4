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
/// In-place inverses of count nonzero scalars below n, with one inversion in all
/// (Montgomery's trick). count ≤ 8.
void braid_sn_batch_invert(uint64_t (*a)[4], int count);

#endif
