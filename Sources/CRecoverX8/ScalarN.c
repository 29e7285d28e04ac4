/// Scalars modulo the secp256k1 group order n, one at a time, with 128-bit products:
/// u1 = -z/r and u2 = s/r of public-key recovery. Variable time is fine (public data).
#include "ScalarN.h"

typedef unsigned __int128 u128;

static const uint64_t N[4] = {
  0xBFD25E8CD0364141ULL, 0xBAAEDCE6AF48A03BULL, 0xFFFFFFFFFFFFFFFEULL, 0xFFFFFFFFFFFFFFFFULL,
};
/// 2^256 - n (129 bits).
static const uint64_t C[3] = {0x402DA1732FC9BEBFULL, 0x4551231950B75FC4ULL, 1};

void braid_sn_from_be(uint64_t r[4], const unsigned char *be) {
  for (int w = 0; w < 4; w++) {
    uint64_t v = 0;
    for (int b = 0; b < 8; b++) v = (v << 8) | be[(3 - w) * 8 + b];
    r[w] = v;
  }
}

/// a ≥ n.
static int geq_n(const uint64_t a[4]) {
  for (int w = 3; w >= 0; w--) {
    if (a[w] != N[w]) return a[w] > N[w];
  }
  return 1;
}

static void sub_n(uint64_t r[4], const uint64_t a[4]) {
  uint64_t borrow = 0;
  for (int w = 0; w < 4; w++) {
    u128 d = (u128)a[w] - N[w] - borrow;
    r[w] = (uint64_t)d;
    borrow = (uint64_t)(d >> 64) & 1;
  }
}

int braid_sn_is_valid(const uint64_t a[4]) {
  int zero = (a[0] | a[1] | a[2] | a[3]) == 0;
  return !zero && !geq_n(a);
}

void braid_sn_reduce_once(uint64_t r[4], const uint64_t a[4]) {
  if (geq_n(a)) {
    sub_n(r, a);
  } else {
    for (int w = 0; w < 4; w++) r[w] = a[w];
  }
}

/// Reduces an eight-word value: H·2^256 + L ≡ H·(2^256 - n) + L, repeated until H is 0
/// (at most four rounds: the high part shrinks by 127 bits each time), then one subtraction.
static void reduce8(uint64_t r[4], uint64_t t[8]) {
  for (;;) {
    if ((t[4] | t[5] | t[6] | t[7]) == 0) break;
    uint64_t h[4] = {t[4], t[5], t[6], t[7]};
    uint64_t m[8] = {t[0], t[1], t[2], t[3], 0, 0, 0, 0};
    for (int i = 0; i < 4; i++) {
      uint64_t carry = 0;
      for (int j = 0; j < 3; j++) {
        u128 p = (u128)h[i] * C[j] + m[i + j] + carry;
        m[i + j] = (uint64_t)p;
        carry = (uint64_t)(p >> 64);
      }
      for (int k = i + 3; k < 8 && carry; k++) {
        u128 s = (u128)m[k] + carry;
        m[k] = (uint64_t)s;
        carry = (uint64_t)(s >> 64);
      }
    }
    for (int k = 0; k < 8; k++) t[k] = m[k];
  }
  uint64_t low[4] = {t[0], t[1], t[2], t[3]};
  braid_sn_reduce_once(r, low);
}

static void mul_wide(uint64_t t[8], const uint64_t a[4], const uint64_t b[4]) {
  for (int k = 0; k < 8; k++) t[k] = 0;
  for (int i = 0; i < 4; i++) {
    uint64_t carry = 0;
    for (int j = 0; j < 4; j++) {
      u128 p = (u128)a[i] * b[j] + t[i + j] + carry;
      t[i + j] = (uint64_t)p;
      carry = (uint64_t)(p >> 64);
    }
    t[i + 4] = carry;
  }
}

void braid_sn_mul(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]) {
  uint64_t t[8];
  mul_wide(t, a, b);
  reduce8(r, t);
}

/// Lattice constants of the GLV split for λ = 0x5363AD4C…1B23BD72 (λ³ ≡ 1 mod n, and
/// λ·(x, y) = (β·x, y)): a1 + b1·λ ≡ a2 + b2·λ ≡ 0 (mod n) with b2 = a1, and
/// G1 = round(2^384·b2 / n), G2 = round(2^384·(-b1) / n), all derived and checked in Python.
static const uint64_t GLV_A1[4] = {0xE86C90E49284EB15ULL, 0x3086D221A7D46BCDULL, 0, 0};
static const uint64_t GLV_MINUS_B1[4] = {0x6F547FA90ABFE4C3ULL, 0xE4437ED6010E8828ULL, 0, 0};
static const uint64_t GLV_A2[4] = {0x57C1108D9D44CFD8ULL, 0x14CA50F7A8E2F3F6ULL, 1, 0};
static const uint64_t GLV_G1[4] = {
  0xE893209A45DBB031ULL, 0x3DAA8A1471E8CA7FULL, 0xE86C90E49284EB15ULL, 0x3086D221A7D46BCDULL,
};
static const uint64_t GLV_G2[4] = {
  0x1571B4AE8AC47F71ULL, 0x221208AC9DF506C6ULL, 0x6F547FA90ABFE4C4ULL, 0xE4437ED6010E8828ULL,
};

/// round(k·g / 2^384), which is below 2^128 for k < 2^256, g < 2^256.
static void mul_shift384(uint64_t c[4], const uint64_t k[4], const uint64_t g[4]) {
  uint64_t t[8];
  mul_wide(t, k, g);
  // Rounding: add bit 383.
  uint64_t round = t[5] >> 63;
  u128 lo = (u128)t[6] + round;
  c[0] = (uint64_t)lo;
  c[1] = t[7] + (uint64_t)(lo >> 64);
  c[2] = c[3] = 0;
}

/// Signed magnitude of a scalar: a > n/2 stands for -(n - a).
static int to_signed(uint64_t a[4]) {
  static const uint64_t HALF_N[4] = {
    0xDFE92F46681B20A0ULL, 0x5D576E7357A4501DULL, 0xFFFFFFFFFFFFFFFFULL, 0x7FFFFFFFFFFFFFFFULL,
  };
  for (int w = 3; w >= 0; w--) {
    if (a[w] != HALF_N[w]) {
      if (a[w] > HALF_N[w]) {
        braid_sn_negate(a, a);
        return 1;
      }
      return 0;
    }
  }
  return 0;
}

int braid_sn_split_lambda(const uint64_t k[4], uint64_t k1[4], int *neg1, uint64_t k2[4], int *neg2) {
  uint64_t c1[4], c2[4], t[4];
  mul_shift384(c1, k, GLV_G1);
  mul_shift384(c2, k, GLV_G2);
  // k1 = k - c1·a1 - c2·a2, k2 = c1·(-b1) - c2·b2 (b2 = a1), all mod n.
  uint64_t kk[4];
  braid_sn_reduce_once(kk, k);
  braid_sn_mul(t, c1, GLV_A1);
  braid_sn_negate(t, t);
  braid_sn_add(k1, kk, t);
  braid_sn_mul(t, c2, GLV_A2);
  braid_sn_negate(t, t);
  braid_sn_add(k1, k1, t);
  braid_sn_mul(k2, c1, GLV_MINUS_B1);
  braid_sn_mul(t, c2, GLV_A1);
  braid_sn_negate(t, t);
  braid_sn_add(k2, k2, t);
  *neg1 = to_signed(k1);
  *neg2 = to_signed(k2);
  return (k1[2] | k1[3] | k2[2] | k2[3]) == 0;
}

void braid_sn_negate(uint64_t r[4], const uint64_t a[4]) {
  if ((a[0] | a[1] | a[2] | a[3]) == 0) {
    for (int w = 0; w < 4; w++) r[w] = 0;
    return;
  }
  uint64_t borrow = 0;
  for (int w = 0; w < 4; w++) {
    u128 d = (u128)N[w] - a[w] - borrow;
    r[w] = (uint64_t)d;
    borrow = (uint64_t)(d >> 64) & 1;
  }
}

static void shr1(uint64_t a[4], uint64_t top) {
  for (int k = 0; k < 3; k++) a[k] = (a[k] >> 1) | (a[k + 1] << 63);
  a[3] = (a[3] >> 1) | (top << 63);
}

/// x / 2 mod n: an odd x becomes (x + n) / 2, with the 257th bit of x + n kept.
static void half_mod(uint64_t x[4]) {
  uint64_t carry = 0;
  if (x[0] & 1) {
    for (int k = 0; k < 4; k++) {
      u128 s = (u128)x[k] + N[k] + carry;
      x[k] = (uint64_t)s;
      carry = (uint64_t)(s >> 64);
    }
  }
  shr1(x, carry);
}

static int geq4(const uint64_t a[4], const uint64_t b[4]) {
  for (int k = 3; k >= 0; k--) {
    if (a[k] != b[k]) return a[k] > b[k];
  }
  return 1;
}

/// a -= b, for a ≥ b.
static void sub4(uint64_t a[4], const uint64_t b[4]) {
  uint64_t borrow = 0;
  for (int k = 0; k < 4; k++) {
    u128 d = (u128)a[k] - b[k] - borrow;
    a[k] = (uint64_t)d;
    borrow = (uint64_t)(d >> 64) & 1;
  }
}

/// x = x - y mod n, for x, y < n.
static void sub_mod(uint64_t x[4], const uint64_t y[4]) {
  if (geq4(x, y)) {
    sub4(x, y);
  } else {
    // x + (n - y) < n.
    uint64_t t[4] = {N[0], N[1], N[2], N[3]};
    sub4(t, y);
    uint64_t carry = 0;
    for (int k = 0; k < 4; k++) {
      u128 s = (u128)x[k] + t[k] + carry;
      x[k] = (uint64_t)s;
      carry = (uint64_t)(s >> 64);
    }
  }
}

void braid_sn_add(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]) {
  uint64_t t[4] = {b[0], b[1], b[2], b[3]};
  // a + b = a - (n - b) mod n.
  braid_sn_negate(t, t);
  uint64_t x[4] = {a[0], a[1], a[2], a[3]};
  sub_mod(x, t);
  for (int w = 0; w < 4; w++) r[w] = x[w];
}

static int is_one(const uint64_t a[4]) { return a[0] == 1 && (a[1] | a[2] | a[3]) == 0; }

/// a^-1 mod n for 1 ≤ a < n by the binary extended Euclidean algorithm (variable time,
/// several times faster here than a Fermat exponentiation). Invariant: x1·a ≡ u and
/// x2·a ≡ v (mod n); n is prime, so u and v only meet at 1.
static void invert(uint64_t r[4], const uint64_t a[4]) {
  uint64_t u[4] = {a[0], a[1], a[2], a[3]};
  uint64_t v[4] = {N[0], N[1], N[2], N[3]};
  uint64_t x1[4] = {1, 0, 0, 0}, x2[4] = {0, 0, 0, 0};
  while (!is_one(u) && !is_one(v)) {
    while (!(u[0] & 1)) {
      shr1(u, 0);
      half_mod(x1);
    }
    while (!(v[0] & 1)) {
      shr1(v, 0);
      half_mod(x2);
    }
    if (geq4(u, v)) {
      sub4(u, v);
      sub_mod(x1, x2);
    } else {
      sub4(v, u);
      sub_mod(x2, x1);
    }
  }
  const uint64_t *x = is_one(u) ? x1 : x2;
  for (int w = 0; w < 4; w++) r[w] = x[w];
}

void braid_sn_batch_invert(uint64_t (*a)[4], int count) {
  if (count <= 0) return;
  uint64_t prefix[8][4];
  for (int w = 0; w < 4; w++) prefix[0][w] = a[0][w];
  for (int i = 1; i < count; i++) braid_sn_mul(prefix[i], prefix[i - 1], a[i]);
  uint64_t inv[4];
  invert(inv, prefix[count - 1]);
  for (int i = count - 1; i > 0; i--) {
    uint64_t ai[4];
    braid_sn_mul(ai, inv, prefix[i - 1]);
    braid_sn_mul(inv, inv, a[i]);
    for (int w = 0; w < 4; w++) a[i][w] = ai[w];
  }
  for (int w = 0; w < 4; w++) a[0][w] = inv[w];
}
