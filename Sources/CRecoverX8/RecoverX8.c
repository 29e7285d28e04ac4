/// Eight ECDSA public-key recoveries at once (SEC 1 §4.1.6): R = (r, y with parity recid),
/// Q = u1·G + u2·R with u1 = -z/r, u2 = s/r (mod n). u2·R splits u2 with the GLV
/// endomorphism into two 128-bit halves over per-lane tables of 1..15 times ±R and ±λR
/// (affine on an isomorphic curve, so additions are mixed), 4-bit windows. u1·G uses a
/// shared comb T[i][j] = j·64^i·G (6-bit digits: 43 mixed additions) built once with
/// libsecp256k1 at first use (about 2,700 key derivations, ~80 ms; 8-bit digits were not
/// measurably faster, for a 650 KB table and twice the start-up). About 50 KB of stack.
/// Only the ordinary case is claimed; anything unusual gets status 0 and goes to
/// libsecp256k1, which is also the judge of invalid signatures.
#include "CRecoverX8.h"
#include "ScalarN.h"
#include "PointX8.h"

#include <pthread.h>
#include <string.h>

#if defined(__x86_64__)
#include <secp256k1.h>

static const uint64_t P64[4] = {
  0xFFFFFFFEFFFFFC2FULL, 0xFFFFFFFFFFFFFFFFULL, 0xFFFFFFFFFFFFFFFFULL, 0xFFFFFFFFFFFFFFFFULL,
};

#ifndef COMB_BITS
#define COMB_BITS 6
#endif
/// u1 is read in COMB_ROWS digits of COMB_BITS bits (the top one shorter).
#define COMB_ROWS ((256 + COMB_BITS - 1) / COMB_BITS)
#define COMB_COLS (1 << COMB_BITS)
/// gtab[i][j][c][k]: limb k of coordinate c (x, y) of j·2^(COMB_BITS·i)·G; j = 0 is an unused
/// zero row so a lane's digit indexes it directly, as are the top row's entries past 2^256.
static uint64_t gtab[COMB_ROWS][COMB_COLS][2][5] __attribute__((aligned(64)));
static int gtab_ok;
static pthread_once_t gtab_once = PTHREAD_ONCE_INIT;

static void u256_to_limbs52(uint64_t out[5], const uint64_t w[4]) {
  out[0] = w[0] & FE_M52;
  out[1] = ((w[0] >> 52) | (w[1] << 12)) & FE_M52;
  out[2] = ((w[1] >> 40) | (w[2] << 24)) & FE_M52;
  out[3] = ((w[2] >> 28) | (w[3] << 36)) & FE_M52;
  out[4] = w[3] >> 16;
}

/// A normalized element's limbs (value < 2^256 + 2^220) to the canonical value below p.
static void limbs52_to_canonical(uint64_t w[4], const uint64_t l[5]) {
  typedef unsigned __int128 u128;
  // Value = low 256 bits + top·2^256 with top ≤ 1.
  uint64_t top = l[4] >> 48;
  uint64_t l4 = l[4] & FE_M48;
  w[0] = l[0] | (l[1] << 52);
  w[1] = (l[1] >> 12) | (l[2] << 40);
  w[2] = (l[2] >> 24) | (l[3] << 28);
  w[3] = (l[3] >> 36) | (l4 << 16);
  // Fold top·2^256 ≡ top·0x1000003D1, then subtract p while ≥ p (twice at most).
  u128 c = (u128)top * FE_R256;
  for (int k = 0; k < 4; k++) {
    c += w[k];
    w[k] = (uint64_t)c;
    c >>= 64;
  }
  // A carry out here would need value ≥ 2^256 - 2^33 before the fold, impossible when top = 1
  // (the low part is then below 2^220).
  for (int round = 0; round < 2; round++) {
    int ge = 1;
    for (int k = 3; k >= 0; k--) {
      if (w[k] != P64[k]) {
        ge = w[k] > P64[k];
        break;
      }
    }
    if (!ge) break;
    uint64_t borrow = 0;
    for (int k = 0; k < 4; k++) {
      u128 d = (u128)w[k] - P64[k] - borrow;
      w[k] = (uint64_t)d;
      borrow = (uint64_t)(d >> 64) & 1;
    }
  }
}

static void store_be(unsigned char *out, const uint64_t w[4]) {
  for (int k = 0; k < 4; k++) {
    for (int b = 0; b < 8; b++) out[(3 - k) * 8 + b] = (unsigned char)(w[k] >> (56 - 8 * b));
  }
}

static void build_gtab(void) {
  secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  if (!ctx) return;
  memset(gtab, 0, sizeof gtab);
  for (int i = 0; i < COMB_ROWS; i++) {
    for (int j = 1; j < COMB_COLS; j++) {
      // key = j·2^(COMB_BITS·i); skipped where that reaches 2^256 (no u1 has such a digit).
      int bit = COMB_BITS * i;
      if (bit + 32 - __builtin_clz((unsigned)j) > 256) continue;
      uint64_t kw[4] = {0, 0, 0, 0};
      kw[bit / 64] = (uint64_t)j << (bit % 64);
      if (bit % 64 != 0 && bit / 64 < 3) kw[bit / 64 + 1] = (uint64_t)j >> (64 - bit % 64);
      if (!braid_sn_is_valid(kw)) {
        secp256k1_context_destroy(ctx);
        return;
      }
      unsigned char key[32];
      store_be(key, kw);
      secp256k1_pubkey pk;
      unsigned char ser[65];
      size_t len = sizeof ser;
      if (!secp256k1_ec_pubkey_create(ctx, &pk, key) ||
          !secp256k1_ec_pubkey_serialize(ctx, ser, &len, &pk, SECP256K1_EC_UNCOMPRESSED) || len != 65) {
        secp256k1_context_destroy(ctx);
        return;
      }
      uint64_t x[4], y[4];
      braid_sn_from_be(x, ser + 1);
      braid_sn_from_be(y, ser + 33);
      u256_to_limbs52(gtab[i][j][0], x);
      u256_to_limbs52(gtab[i][j][1], y);
    }
  }
  secp256k1_context_destroy(ctx);
  gtab_ok = 1;
}

int braid_recover_x8_available(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512ifma");
}

/// Loads eight lanes' 52-bit limbs (lane-major, lanes[i][k]) into vectors.
X8_INLINE void fe8_load(fe8 *r, const uint64_t lanes[8][5]) {
  for (int k = 0; k < 5; k++) {
    r->l[k] = _mm512_set_epi64((long long)lanes[7][k], (long long)lanes[6][k], (long long)lanes[5][k],
                               (long long)lanes[4][k], (long long)lanes[3][k], (long long)lanes[2][k],
                               (long long)lanes[1][k], (long long)lanes[0][k]);
  }
}

X8_INLINE void fe8_store(uint64_t lanes[8][5], const fe8 *a) {
  for (int k = 0; k < 5; k++) {
    uint64_t v[8] __attribute__((aligned(64)));
    _mm512_store_si512((void *)v, a->l[k]);
    for (int i = 0; i < 8; i++) lanes[i][k] = v[i];
  }
}

/// Bits [bit, bit + width) of each lane's scalar, as a vector.
static inline __attribute__((target("avx512f"))) __m512i digits(const uint64_t sc[8][4], int bit, int width) {
  long long d[8];
  uint64_t mask = (1ULL << width) - 1;
  for (int i = 0; i < 8; i++) {
    uint64_t v = sc[i][bit / 64] >> (bit % 64);
    if (bit % 64 + width > 64 && bit / 64 < 3) v |= sc[i][bit / 64 + 1] << (64 - bit % 64);
    d[i] = (long long)(v & mask);
  }
  return _mm512_loadu_si512((const void *)d);
}

/// Nibble w (0 = least significant) of each lane's scalar, as a vector.
static inline __attribute__((target("avx512f"))) __m512i nibbles(const uint64_t sc[8][4], int w) {
  long long d[8];
  for (int i = 0; i < 8; i++) d[i] = (long long)((sc[i][w / 16] >> (4 * (w % 16))) & 15);
  return _mm512_loadu_si512((const void *)d);
}

/// β as 52-bit limbs: the cube root of unity mod p with λ·(x, y) = (β·x, y).
static const uint64_t BETA52[5] = {
  0x96C28719501EEULL, 0x7512F58995C13ULL, 0xC3434E99CF049ULL, 0x07106E64479EAULL, 0x07AE96A2B657CULL,
};

X8_INLINE void fe8_load_const(fe8 *r, const uint64_t l[5]) {
  for (int k = 0; k < 5; k++) r->l[k] = _mm512_set1_epi64((long long)l[k]);
}

/// e = each lane's entry d[lane] of a per-lane table of affine points.
X8_INLINE void gather_affine(ge8 *e, const ge8 *tab, __m512i d) {
  const __m512i lane_idx = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
  // Stride between table entries, in 64-bit words: 2 coordinates × 5 limbs × 8 lanes.
  const __m512i entry_words = _mm512_set1_epi64((long long)(sizeof(ge8) / 8));
  __m512i idx = _mm512_add_epi64(_mm512_mullo_epi64(d, entry_words), lane_idx);
  for (int k = 0; k < 5; k++) {
    e->x.l[k] = _mm512_i64gather_epi64(idx, (const void *)&tab[0].x.l[k], 8);
    e->y.l[k] = _mm512_i64gather_epi64(idx, (const void *)&tab[0].y.l[k], 8);
  }
}

/// g = each lane's comb entry gtab[i][d[lane]] (the zero row where d is 0).
X8_INLINE void gather_g(ge8 *g, int i, __m512i d) {
  // Word offset of gtab[i][d][0][0]: (i·COMB_COLS + d)·10.
  __m512i base =
      _mm512_mullo_epi64(_mm512_add_epi64(_mm512_set1_epi64(i * COMB_COLS), d), _mm512_set1_epi64(10));
  for (int k = 0; k < 5; k++) {
    g->x.l[k] = _mm512_i64gather_epi64(_mm512_add_epi64(base, _mm512_set1_epi64(k)), (const void *)gtab, 8);
    g->y.l[k] = _mm512_i64gather_epi64(_mm512_add_epi64(base, _mm512_set1_epi64(5 + k)), (const void *)gtab, 8);
  }
}

static X8 __attribute__((noinline)) void recover8(const uint64_t xs[8][4], const int ybit[8], const uint64_t u1[8][4],
                                                  const uint64_t k1[8][4], const uint64_t k2[8][4], __mmask8 neg1,
                                                  __mmask8 neg2, __mmask8 ok, unsigned char *pub,
                                                  unsigned char *status) {
  uint64_t lanes[8][5];
  for (int i = 0; i < 8; i++) u256_to_limbs52(lanes[i], xs[i]);
  ge8 R;
  fe8_load(&R.x, lanes);

  // y² = x³ + 7; y = (y²)^((p+1)/4) is a root exactly when y² is a square.
  fe8 y2, y, chk, seven;
  fe8_sqr(&y2, &R.x);
  fe8_mul(&y2, &y2, &R.x);
  fe8_set_small(&seven, 7);
  fe8_add(&y2, &y2, &seven);
  fe8_sqrt_candidate(&y, &y2);
  fe8_sqr(&chk, &y);
  fe8_sub(&chk, &chk, &y2);
  ok &= fe8_is_zero(&chk);

  // The parity of the canonical y must be recid's; otherwise take p - y. A zero y would make
  // p - y non-canonical, so such a lane is refused (none exists: a point with y = 0 would
  // have order 2, and the group's order n is odd).
  fe8_store(lanes, &y);
  for (int i = 0; i < 8; i++) {
    uint64_t w[4];
    limbs52_to_canonical(w, lanes[i]);
    if ((w[0] | w[1] | w[2] | w[3]) == 0) ok &= (__mmask8) ~(1u << i);
    if ((int)(w[0] & 1) != ybit[i]) {
      typedef unsigned __int128 u128;
      uint64_t borrow = 0;
      for (int k = 0; k < 4; k++) {
        u128 d = (u128)P64[k] - w[k] - borrow;
        w[k] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) & 1;
      }
    }
    u256_to_limbs52(lanes[i], w);
  }
  fe8_load(&R.y, lanes);

  // GLV: u2 ≡ ±k1 ± k2·λ with k1, k2 < 2^128, and λ·(x, y) = (β·x, y), so
  // u2·R = k1·(±R) + k2·(±λR): half as many doublings. Tables 1..15 of both (entry 0 unused).
  fe8 zero, negy;
  fe8_set_small(&zero, 0);
  fe8_sub(&negy, &zero, &R.y);
  ge8 R1 = R;
  fe8_blend(&R1.y, neg1, &R.y, &negy);
  __mmask8 fail = 0;
  // j·R1 in Jacobian, recording each step's ratio Z_j / Z_(j-1): 2·y for the doubling from
  // Z = 1, 2·H for each mixed addition.
  gej8 tj[16];
  fe8 ratio[16];
  tj[1].x = R1.x;
  tj[1].y = R1.y;
  fe8_set_small(&tj[1].z, 1);
  tj[1].inf = 0;
  gej8_double(&tj[2], &tj[1]);
  fe8_add(&ratio[2], &R1.y, &R1.y);
  for (int j = 3; j < 16; j++) {
    fe8 h;
    gej8_add_affine_h(&tj[j], &tj[j - 1], &R1, 0xFF, &fail, &h);
    fe8_add(&ratio[j], &h, &h);
  }
  // "Effective affine" tables: with Zg = Z_15, the map (x, y) → (x·Zg², y·Zg³) takes the
  // curve to y² = x³ + 7·Zg⁶, on which entry j is the affine point (X_j·s², Y_j·s³) with
  // s = Zg / Z_j = ratio[j+1]···ratio[15]. The a = 0 formulas never use the constant term, so
  // u2·R is computed on that curve with cheaper mixed additions, and mapped back at the end
  // by multiplying its Z by Zg. λ commutes with the map, so the second table is (β·x, ±y).
  ge8 t1[16], t2[16];
  memset(&t1[0], 0, sizeof t1[0]);
  memset(&t2[0], 0, sizeof t2[0]);
  fe8 beta, s;
  fe8_load_const(&beta, BETA52);
  fe8_set_small(&s, 1);
  for (int j = 15; j >= 1; j--) {
    if (j < 15) fe8_mul(&s, &s, &ratio[j + 1]);
    fe8 s2, s3, ny;
    fe8_sqr(&s2, &s);
    fe8_mul(&s3, &s2, &s);
    fe8_mul(&t1[j].x, &tj[j].x, &s2);
    fe8_mul(&t1[j].y, &tj[j].y, &s3);
    fe8_mul(&t2[j].x, &t1[j].x, &beta);
    fe8_sub(&ny, &zero, &t1[j].y);
    fe8_blend(&t2[j].y, neg1 ^ neg2, &t1[j].y, &ny);
  }
  const fe8 zg = tj[15].z;

  // 4-bit windows from the top, one addition from each table per window. The comb for
  // u1·G (one or two of its 43 mixed additions per window, order irrelevant) is interleaved into
  // the same loop: its chain is independent of A's, so the two fill each other's latency.
  // No branch on all-zero digits: straight-line code schedules better, and a zero digit in
  // all eight lanes at once is rare.
  gej8 A, B;
  memset(&A, 0, sizeof A);
  A.inf = 0xFF;
  memset(&B, 0, sizeof B);
  B.inf = 0xFF;
  for (int w = 31; w >= 0; w--) {
    if (w != 31) {
      for (int k = 0; k < 4; k++) gej8_double(&A, &A);
    }
    ge8 e;
    __m512i d = nibbles(k1, w);
    gather_affine(&e, t1, d);
    gej8_add_affine(&A, &A, &e, _mm512_test_epi64_mask(d, d), &fail);
    d = nibbles(k2, w);
    gather_affine(&e, t2, d);
    gej8_add_affine(&A, &A, &e, _mm512_test_epi64_mask(d, d), &fail);
    for (int i = w; i < COMB_ROWS; i += 32) {
      ge8 g;
      d = digits(u1, COMB_BITS * i, COMB_BITS);
      gather_g(&g, i, d);
      gej8_add_affine(&B, &B, &g, _mm512_test_epi64_mask(d, d), &fail);
    }
  }
  // Back from the isomorphic curve.
  fe8_mul(&A.z, &A.z, &zg);

  gej8 Q;
  gej8_add(&Q, &A, &B, 0xFF, &fail);
  ok &= (__mmask8)~fail & (__mmask8)~Q.inf;
  if (!ok) return;

  // Affine: x = X/Z², y = Y/Z³.
  fe8 zi, zi2, zi3, ax, ay;
  fe8_inv(&zi, &Q.z);
  fe8_sqr(&zi2, &zi);
  fe8_mul(&zi3, &zi2, &zi);
  fe8_mul(&ax, &Q.x, &zi2);
  fe8_mul(&ay, &Q.y, &zi3);
  uint64_t lx[8][5], ly[8][5];
  fe8_store(lx, &ax);
  fe8_store(ly, &ay);
  for (int i = 0; i < 8; i++) {
    if (!(ok >> i & 1)) continue;
    uint64_t wx[4], wy[4];
    limbs52_to_canonical(wx, lx[i]);
    limbs52_to_canonical(wy, ly[i]);
    store_be(pub + 64 * i, wx);
    store_be(pub + 64 * i + 32, wy);
    status[i] = 1;
  }
}

void braid_recover_x8(const unsigned char *hashes, const unsigned char *r, const unsigned char *s,
                      const unsigned char *recid, unsigned char *pub, unsigned char *status) {
  memset(status, 0, 8);
  if (!braid_recover_x8_available()) return;
  pthread_once(&gtab_once, build_gtab);
  if (!gtab_ok) return;
  uint64_t xs[8][4], ss[8][4], zs[8][4], u1[8][4], u2[8][4], k1[8][4], k2[8][4];
  __mmask8 neg1 = 0, neg2 = 0;
  int ybit[8];
  __mmask8 ok = 0;
  for (int i = 0; i < 8; i++) {
    braid_sn_from_be(xs[i], r + 32 * i);
    braid_sn_from_be(ss[i], s + 32 * i);
    uint64_t h[4];
    braid_sn_from_be(h, hashes + 32 * i);
    braid_sn_reduce_once(zs[i], h);
    ybit[i] = recid[i] & 1;
    if (recid[i] <= 1 && braid_sn_is_valid(xs[i]) && braid_sn_is_valid(ss[i])) {
      ok |= (__mmask8)(1u << i);
    } else {
      // A harmless stand-in so the shared inversion and the lane arithmetic stay defined.
      memset(xs[i], 0, sizeof xs[i]);
      xs[i][0] = 1;
      memset(ss[i], 0, sizeof ss[i]);
      ss[i][0] = 1;
    }
  }
  if (!ok) return;
  uint64_t rinv[8][4];
  memcpy(rinv, xs, sizeof rinv);
  braid_sn_batch_invert(rinv, 8);
  for (int i = 0; i < 8; i++) {
    uint64_t t[4];
    braid_sn_mul(t, zs[i], rinv[i]);
    braid_sn_negate(u1[i], t);
    braid_sn_mul(u2[i], ss[i], rinv[i]);
    int n1, n2;
    if (!braid_sn_split_lambda(u2[i], k1[i], &n1, k2[i], &n2)) ok &= (__mmask8) ~(1u << i);
    neg1 |= (__mmask8)(n1 << i);
    neg2 |= (__mmask8)(n2 << i);
  }
  if (!ok) return;
  recover8(xs, ybit, u1, k1, k2, neg1, neg2, ok, pub, status);
}

#else

int braid_recover_x8_available(void) { return 0; }

void braid_recover_x8(const unsigned char *hashes, const unsigned char *r, const unsigned char *s,
                      const unsigned char *recid, unsigned char *pub, unsigned char *status) {
  (void)hashes;
  (void)r;
  (void)s;
  (void)recid;
  (void)pub;
  memset(status, 0, 8);
}

#endif
