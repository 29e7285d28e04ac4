/// Arithmetic modulo p = 2^256 - 2^32 - 977 on eight field elements at once: five limbs of
/// radix 2^52 per lane, one AVX-512 vector per limb, products with IFMA (vpmadd52lo/hi).
///
/// Invariant ("normalized"): limbs 0..3 < 2^52 and the top limb < 2^48 + 2^12, so the value
/// is below 2^256 + 2^220 (< 2p) but not necessarily below p. vpmadd52 reads only the low 52 bits of
/// its inputs, so anything fed to a product must be normalized; every function here takes
/// and returns normalized elements. Variable time is fine: recovery works on public data.
#ifndef BRAID_FIELDX8_H
#define BRAID_FIELDX8_H

#if defined(__x86_64__)
#include <immintrin.h>
#include <stdint.h>

#define X8 __attribute__((target("avx512f,avx512dq,avx512ifma")))
#define X8_INLINE static inline __attribute__((target("avx512f,avx512dq,avx512ifma"), always_inline))

typedef struct {
  __m512i l[5];
} fe8;

#define FE_M52 0xFFFFFFFFFFFFFULL
#define FE_M48 0xFFFFFFFFFFFFULL
/// 2^256 mod p and 2^260 mod p.
#define FE_R256 0x1000003D1ULL
#define FE_R260 0x1000003D10ULL

/// Carries limb overflow upward and folds everything at or above 2^256 back in
/// (2^256 ≡ 0x1000003D1). Accepts limbs below 2^63; returns normalized limbs.
/// The top limb's excess is folded into limb 0 before the carry chain, so one chain
/// suffices: what reaches the top limb afterwards is only the chain's own carry.
X8_INLINE void fe8_carry(__m512i *t) {
  const __m512i m52 = _mm512_set1_epi64((long long)FE_M52);
  // top < 2^15, so top * 0x1000003D1 < 2^48 and the low-52 product is the whole product.
  __m512i top = _mm512_srli_epi64(t[4], 48);
  t[4] = _mm512_and_si512(t[4], _mm512_set1_epi64((long long)FE_M48));
  t[0] = _mm512_madd52lo_epu64(t[0], top, _mm512_set1_epi64((long long)FE_R256));
  t[1] = _mm512_add_epi64(t[1], _mm512_srli_epi64(t[0], 52));
  t[0] = _mm512_and_si512(t[0], m52);
  t[2] = _mm512_add_epi64(t[2], _mm512_srli_epi64(t[1], 52));
  t[1] = _mm512_and_si512(t[1], m52);
  t[3] = _mm512_add_epi64(t[3], _mm512_srli_epi64(t[2], 52));
  t[2] = _mm512_and_si512(t[2], m52);
  t[4] = _mm512_add_epi64(t[4], _mm512_srli_epi64(t[3], 52));
  t[3] = _mm512_and_si512(t[3], m52);
}

/// Reduces a ten-column product (column k at weight 2^52k, each column < 2^60, total value
/// below 2^520) to a normalized element.
X8_INLINE void fe8_reduce(fe8 *r, __m512i *t) {
  const __m512i m52 = _mm512_set1_epi64((long long)FE_M52);
  const __m512i r260 = _mm512_set1_epi64((long long)FE_R260);
  // Normalize columns 4..9 so they can be multiplied; column 9 then is < 2^52 because the
  // whole value is below 2^520.
  for (int k = 4; k < 9; k++) {
    t[k + 1] = _mm512_add_epi64(t[k + 1], _mm512_srli_epi64(t[k], 52));
    t[k] = _mm512_and_si512(t[k], m52);
  }
  // Columns 5..9 sit at 2^260 * 2^52k ≡ 0x1000003D10 * 2^52k.
  __m512i u5 = _mm512_setzero_si512();
  for (int k = 0; k < 5; k++) {
    t[k] = _mm512_madd52lo_epu64(t[k], t[k + 5], r260);
    if (k < 4) {
      t[k + 1] = _mm512_madd52hi_epu64(t[k + 1], t[k + 5], r260);
    } else {
      u5 = _mm512_madd52hi_epu64(u5, t[k + 5], r260);
    }
  }
  // u5 < 2^37 sits at 2^260 again.
  t[0] = _mm512_madd52lo_epu64(t[0], u5, r260);
  t[1] = _mm512_madd52hi_epu64(t[1], u5, r260);
  fe8_carry(t);
  for (int k = 0; k < 5; k++) r->l[k] = t[k];
}

X8_INLINE void fe8_mul(fe8 *r, const fe8 *a, const fe8 *b) {
  // Low and high halves accumulate separately: two short dependency chains per column
  // instead of one long one.
  __m512i t[10], u[10];
  for (int k = 0; k < 10; k++) t[k] = u[k] = _mm512_setzero_si512();
  for (int i = 0; i < 5; i++) {
    for (int j = 0; j < 5; j++) {
      t[i + j] = _mm512_madd52lo_epu64(t[i + j], a->l[i], b->l[j]);
      u[i + j + 1] = _mm512_madd52hi_epu64(u[i + j + 1], a->l[i], b->l[j]);
    }
  }
  for (int k = 1; k < 10; k++) t[k] = _mm512_add_epi64(t[k], u[k]);
  fe8_reduce(r, t);
}

/// Squaring: each cross product once, doubled afterwards by a shift (the columns of cross
/// products stay below 2^57, so doubling cannot overflow).
X8_INLINE void fe8_sqr(fe8 *r, const fe8 *a) {
  __m512i t[10];
  for (int k = 0; k < 10; k++) t[k] = _mm512_setzero_si512();
  for (int i = 0; i < 5; i++) {
    for (int j = i + 1; j < 5; j++) {
      t[i + j] = _mm512_madd52lo_epu64(t[i + j], a->l[i], a->l[j]);
      t[i + j + 1] = _mm512_madd52hi_epu64(t[i + j + 1], a->l[i], a->l[j]);
    }
  }
  for (int k = 0; k < 10; k++) t[k] = _mm512_slli_epi64(t[k], 1);
  for (int i = 0; i < 5; i++) {
    t[2 * i] = _mm512_madd52lo_epu64(t[2 * i], a->l[i], a->l[i]);
    t[2 * i + 1] = _mm512_madd52hi_epu64(t[2 * i + 1], a->l[i], a->l[i]);
  }
  fe8_reduce(r, t);
}

X8_INLINE void fe8_add(fe8 *r, const fe8 *a, const fe8 *b) {
  __m512i t[5];
  for (int k = 0; k < 5; k++) t[k] = _mm512_add_epi64(a->l[k], b->l[k]);
  fe8_carry(t);
  for (int k = 0; k < 5; k++) r->l[k] = t[k];
}

/// a - b as a + (32p - b): every limb of 32p (2^57 - 0x2000007A20, 2^57 - 32 three times,
/// 2^53 - 32) is above the largest limb of a normalized b, so no lane goes negative.
X8_INLINE void fe8_sub(fe8 *r, const fe8 *a, const fe8 *b) {
  static const uint64_t p32[5] = {
    (1ULL << 57) - 0x2000007A20ULL, (1ULL << 57) - 32, (1ULL << 57) - 32, (1ULL << 57) - 32, (1ULL << 53) - 32,
  };
  __m512i t[5];
  for (int k = 0; k < 5; k++) {
    t[k] = _mm512_add_epi64(a->l[k], _mm512_sub_epi64(_mm512_set1_epi64((long long)p32[k]), b->l[k]));
  }
  fe8_carry(t);
  for (int k = 0; k < 5; k++) r->l[k] = t[k];
}

/// r = Σ c[i]·x[i] for up to four normalized x and small signed c (|c| ≤ 8, Σ|negative c| ≤ 16),
/// with one carry chain for the whole combination: the point formulas' chains of additions
/// and subtractions. Computed as m·32p + Σ c[i]·x[i] with m the sum of the negative
/// coefficients' magnitudes: every limb of 32p is at least any normalized limb, so each
/// subtraction leaves the limb non-negative, and everything stays below 2^62.
X8_INLINE void fe8_combo(fe8 *r, int n, const fe8 *const *x, const int *c) {
  static const uint64_t p32[5] = {
    (1ULL << 57) - 0x2000007A20ULL, (1ULL << 57) - 32, (1ULL << 57) - 32, (1ULL << 57) - 32, (1ULL << 53) - 32,
  };
  uint64_t m = 0;
  for (int i = 0; i < n; i++) {
    if (c[i] < 0) m += (uint64_t)(-c[i]);
  }
  __m512i t[5];
  for (int k = 0; k < 5; k++) t[k] = _mm512_set1_epi64((long long)(m * p32[k]));
  for (int i = 0; i < n; i++) {
    const __m512i cv = _mm512_set1_epi64((long long)(c[i] < 0 ? -c[i] : c[i]));
    for (int k = 0; k < 5; k++) {
      __m512i term = c[i] == 1 || c[i] == -1 ? x[i]->l[k] : _mm512_mullo_epi64(x[i]->l[k], cv);
      t[k] = c[i] < 0 ? _mm512_sub_epi64(t[k], term) : _mm512_add_epi64(t[k], term);
    }
  }
  fe8_carry(t);
  for (int k = 0; k < 5; k++) r->l[k] = t[k];
}

/// Shorthands for fe8_combo with two and three terms.
#define FE8_COMBO2(r, ca, a, cb, b)                 \
  do {                                              \
    const fe8 *xs_[2] = {(a), (b)};                 \
    const int cs_[2] = {(ca), (cb)};                \
    fe8_combo((r), 2, xs_, cs_);                    \
  } while (0)
#define FE8_COMBO3(r, ca, a, cb, b, cc, c)          \
  do {                                              \
    const fe8 *xs_[3] = {(a), (b), (c)};            \
    const int cs_[3] = {(ca), (cb), (cc)};          \
    fe8_combo((r), 3, xs_, cs_);                    \
  } while (0)

/// a * m for a small constant m (m < 2^11 keeps every limb product below 2^64).
X8_INLINE void fe8_mul_small(fe8 *r, const fe8 *a, uint64_t m) {
  __m512i t[5];
  const __m512i mv = _mm512_set1_epi64((long long)m);
  for (int k = 0; k < 5; k++) t[k] = _mm512_mullo_epi64(a->l[k], mv);
  fe8_carry(t);
  for (int k = 0; k < 5; k++) r->l[k] = t[k];
}

/// Lanes whose element is ≡ 0 (mod p). A normalized value is below 2^256 + 2^220 < 2p, so it
/// is ≡ 0 exactly when it is 0 or p (whose limbs are unique once limbs 0..3 are < 2^52).
X8_INLINE __mmask8 fe8_is_zero(const fe8 *a) {
  static const uint64_t p52[5] = {
    0xFFFFEFFFFFC2FULL, FE_M52, FE_M52, FE_M52, FE_M48,
  };
  __mmask8 zero = 0xFF, isp = 0xFF;
  for (int k = 0; k < 5; k++) {
    zero &= _mm512_cmpeq_epi64_mask(a->l[k], _mm512_setzero_si512());
    isp &= _mm512_cmpeq_epi64_mask(a->l[k], _mm512_set1_epi64((long long)p52[k]));
  }
  return zero | isp;
}

/// Per lane: mask bit set → b, clear → a.
X8_INLINE void fe8_blend(fe8 *r, __mmask8 mask, const fe8 *a, const fe8 *b) {
  for (int k = 0; k < 5; k++) r->l[k] = _mm512_mask_blend_epi64(mask, a->l[k], b->l[k]);
}

X8_INLINE void fe8_set_small(fe8 *r, uint64_t v) {
  r->l[0] = _mm512_set1_epi64((long long)v);
  for (int k = 1; k < 5; k++) r->l[k] = _mm512_setzero_si512();
}

X8_INLINE void fe8_sqr_n(fe8 *r, const fe8 *a, int n) {
  *r = *a;
  for (int i = 0; i < n; i++) fe8_sqr(r, r);
}

/// The addition chain shared by inversion and square root: both exponents start with 223
/// one bits. Sets x2, x22 and returns a^(2^223 - 1) (xk below is a^(2^k - 1)).
static X8 __attribute__((noinline)) void fe8_pow_223(fe8 *x223, fe8 *x2, fe8 *x22, const fe8 *a) {
  fe8 x3, x6, x9, x11, x44, x88, x176, x220, t;
  fe8_sqr(&t, a);
  fe8_mul(x2, &t, a);
  fe8_sqr(&t, x2);
  fe8_mul(&x3, &t, a);
  fe8_sqr_n(&t, &x3, 3);
  fe8_mul(&x6, &t, &x3);
  fe8_sqr_n(&t, &x6, 3);
  fe8_mul(&x9, &t, &x3);
  fe8_sqr_n(&t, &x9, 2);
  fe8_mul(&x11, &t, x2);
  fe8_sqr_n(&t, &x11, 11);
  fe8_mul(x22, &t, &x11);
  fe8_sqr_n(&t, x22, 22);
  fe8_mul(&x44, &t, x22);
  fe8_sqr_n(&t, &x44, 44);
  fe8_mul(&x88, &t, &x44);
  fe8_sqr_n(&t, &x88, 88);
  fe8_mul(&x176, &t, &x88);
  fe8_sqr_n(&t, &x176, 44);
  fe8_mul(&x220, &t, &x44);
  fe8_sqr_n(&t, &x220, 3);
  fe8_mul(x223, &t, &x3);
}

/// a^(p-2) = a^-1 (0 for 0). p - 2 in binary: 223 ones, 0, 22 ones, 0000101101.
static X8 __attribute__((noinline)) void fe8_inv(fe8 *r, const fe8 *a) {
  fe8 t, x2, x22;
  fe8_pow_223(&t, &x2, &x22, a);
  fe8_sqr_n(&t, &t, 23);
  fe8_mul(&t, &t, &x22);
  fe8_sqr_n(&t, &t, 5);
  fe8_mul(&t, &t, a);
  fe8_sqr_n(&t, &t, 3);
  fe8_mul(&t, &t, &x2);
  fe8_sqr_n(&t, &t, 2);
  fe8_mul(r, &t, a);
}

/// a^((p+1)/4), a square root of a when a is a square (p ≡ 3 mod 4). The exponent in
/// binary: 223 ones, 0, 22 ones, 0000, 11, 00.
static X8 __attribute__((noinline)) void fe8_sqrt_candidate(fe8 *r, const fe8 *a) {
  fe8 t, x2, x22;
  fe8_pow_223(&t, &x2, &x22, a);
  fe8_sqr_n(&t, &t, 23);
  fe8_mul(&t, &t, &x22);
  fe8_sqr_n(&t, &t, 6);
  fe8_mul(&t, &t, &x2);
  fe8_sqr_n(r, &t, 2);
}

#endif
#endif
