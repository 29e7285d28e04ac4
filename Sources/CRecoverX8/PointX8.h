/// secp256k1 points (y² = x³ + 7) in Jacobian coordinates, eight at once over FieldX8:
/// doubling and additions from the Explicit-Formulas Database (a = 0: dbl-2009-l,
/// madd-2007-bl, add-2007-bl), with infinity carried as a per-lane mask.
///
/// An addition of two finite points whose x coordinates agree (H ≡ 0: a doubling or a sum to
/// infinity) is not handled: such lanes are reported in a `fail` mask and the caller leaves
/// them to libsecp256k1. Recovery of real signatures never meets them except by crafted input.
#ifndef BRAID_POINTX8_H
#define BRAID_POINTX8_H

#include "FieldX8.h"

#if defined(__x86_64__)

typedef struct {
  fe8 x, y, z;
  __mmask8 inf;
} gej8;

typedef struct {
  fe8 x, y;
} ge8;

/// r = 2a. No point of secp256k1 has y = 0, so a finite point doubles to a finite point.
X8_INLINE void gej8_double(gej8 *r, const gej8 *a) {
  fe8 A, B, C, D, E, F, S, t, x3;
  fe8_sqr(&A, &a->x);
  fe8_sqr(&B, &a->y);
  fe8_sqr(&C, &B);
  fe8_add(&S, &a->x, &B);
  fe8_sqr(&S, &S);
  FE8_COMBO3(&D, 2, &S, -2, &A, -2, &C);  // D = 2·((X + B)² - A - C)
  fe8_mul_small(&E, &A, 3);
  fe8_sqr(&F, &E);
  fe8_mul(&t, &a->y, &a->z);
  fe8_add(&r->z, &t, &t);
  FE8_COMBO2(&x3, 1, &F, -2, &D);
  FE8_COMBO2(&t, 1, &D, -1, &x3);
  fe8_mul(&t, &E, &t);
  FE8_COMBO2(&r->y, 1, &t, -8, &C);
  r->x = x3;
  r->inf = a->inf;
}

/// r = a + b for the lanes in `use` (others keep a), b affine and finite. Lanes where a is
/// infinity take b; lanes where both are finite and share x are added to *fail. Also gives
/// H = x(b)·Z² - X (the result's Z is 2·Z·H where a is finite).
X8_INLINE void gej8_add_affine_h(gej8 *r, const gej8 *a, const ge8 *b, __mmask8 use, __mmask8 *fail, fe8 *h_out) {
  fe8 z1z1, u2, s2, h, hh, i, j, rr, v, t, yj;
  fe8_sqr(&z1z1, &a->z);
  fe8_mul(&u2, &b->x, &z1z1);
  fe8_mul(&s2, &b->y, &a->z);
  fe8_mul(&s2, &s2, &z1z1);
  fe8_sub(&h, &u2, &a->x);
  fe8_sqr(&hh, &h);
  fe8_mul_small(&i, &hh, 4);
  fe8_mul(&j, &h, &i);
  FE8_COMBO2(&rr, 2, &s2, -2, &a->y);
  fe8_mul(&v, &a->x, &i);
  gej8 s;
  fe8_sqr(&t, &rr);
  FE8_COMBO3(&s.x, 1, &t, -1, &j, -2, &v);
  fe8_sub(&t, &v, &s.x);
  fe8_mul(&t, &rr, &t);
  fe8_mul(&yj, &a->y, &j);
  FE8_COMBO2(&s.y, 1, &t, -2, &yj);
  fe8_add(&t, &a->z, &h);
  fe8_sqr(&t, &t);
  FE8_COMBO3(&s.z, 1, &t, -1, &z1z1, -1, &hh);
  *h_out = h;

  __mmask8 finite = use & (__mmask8)~a->inf;
  *fail |= finite & fe8_is_zero(&h);
  __mmask8 take_b = use & a->inf;
  fe8 one;
  fe8_set_small(&one, 1);
  fe8_blend(&r->x, finite, &a->x, &s.x);
  fe8_blend(&r->y, finite, &a->y, &s.y);
  fe8_blend(&r->z, finite, &a->z, &s.z);
  fe8_blend(&r->x, take_b, &r->x, &b->x);
  fe8_blend(&r->y, take_b, &r->y, &b->y);
  fe8_blend(&r->z, take_b, &r->z, &one);
  r->inf = a->inf & (__mmask8)~use;
}

X8_INLINE void gej8_add_affine(gej8 *r, const gej8 *a, const ge8 *b, __mmask8 use, __mmask8 *fail) {
  fe8 h;
  gej8_add_affine_h(r, a, b, use, fail, &h);
}

/// r = a + b for the lanes in `use` (others keep a), both Jacobian, either may be infinity.
/// Lanes where both are finite and share x are added to *fail.
X8_INLINE void gej8_add(gej8 *r, const gej8 *a, const gej8 *b, __mmask8 use, __mmask8 *fail) {
  fe8 z1z1, z2z2, u1, u2, s1, s2, h, i, j, rr, v, t, sj;
  fe8_sqr(&z1z1, &a->z);
  fe8_sqr(&z2z2, &b->z);
  fe8_mul(&u1, &a->x, &z2z2);
  fe8_mul(&u2, &b->x, &z1z1);
  fe8_mul(&s1, &a->y, &b->z);
  fe8_mul(&s1, &s1, &z2z2);
  fe8_mul(&s2, &b->y, &a->z);
  fe8_mul(&s2, &s2, &z1z1);
  fe8_sub(&h, &u2, &u1);
  fe8_add(&i, &h, &h);
  fe8_sqr(&i, &i);
  fe8_mul(&j, &h, &i);
  FE8_COMBO2(&rr, 2, &s2, -2, &s1);
  fe8_mul(&v, &u1, &i);
  gej8 s;
  fe8_sqr(&t, &rr);
  FE8_COMBO3(&s.x, 1, &t, -1, &j, -2, &v);
  fe8_sub(&t, &v, &s.x);
  fe8_mul(&t, &rr, &t);
  fe8_mul(&sj, &s1, &j);
  FE8_COMBO2(&s.y, 1, &t, -2, &sj);
  fe8_add(&t, &a->z, &b->z);
  fe8_sqr(&t, &t);
  FE8_COMBO3(&t, 1, &t, -1, &z1z1, -1, &z2z2);
  fe8_mul(&s.z, &t, &h);

  __mmask8 both = use & (__mmask8)~a->inf & (__mmask8)~b->inf;
  *fail |= both & fe8_is_zero(&h);
  // a infinite: the sum is b (possibly infinite too); b infinite: the sum is a.
  __mmask8 take_b = use & a->inf;
  fe8_blend(&r->x, both, &a->x, &s.x);
  fe8_blend(&r->y, both, &a->y, &s.y);
  fe8_blend(&r->z, both, &a->z, &s.z);
  fe8_blend(&r->x, take_b, &r->x, &b->x);
  fe8_blend(&r->y, take_b, &r->y, &b->y);
  fe8_blend(&r->z, take_b, &r->z, &b->z);
  r->inf = (a->inf & (__mmask8)~use) | (take_b & b->inf);
}

#endif
#endif
