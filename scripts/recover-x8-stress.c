/// Stress test of Sources/CRecoverX8 against libsecp256k1, outside the Swift package:
/// random keys sign random hashes (a quarter turned into their high-s twins), a share of
/// lanes get random garbage (r, s, recovery id), and every lane braid_recover_x8 answers
/// must equal secp256k1_ecdsa_recover's key. Build and run (the third argument seeds it):
///   S=Sources/CRecoverX8; clang -O2 -I$S/include -I$S $S/RecoverX8.c $S/ScalarN.c \
///     scripts/recover-x8-stress.c -o /tmp/recover-x8-stress -lsecp256k1 -lpthread
///   /tmp/recover-x8-stress 1000000 5 1
/// Exit status 1 on any mismatch, 2 when the CPU lacks AVX-512 IFMA.
#include "CRecoverX8.h"
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rs = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(void) {
  rs ^= rs << 13;
  rs ^= rs >> 7;
  rs ^= rs << 17;
  return rs;
}
static void rbytes(unsigned char *b, int n) {
  for (int i = 0; i < n; i++) b[i] = (unsigned char)rnd();
}

static const unsigned char N[32] = {
  0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE,
  0xBA, 0xAE, 0xDC, 0xE6, 0xAF, 0x48, 0xA0, 0x3B, 0xBF, 0xD2, 0x5E, 0x8C, 0xD0, 0x36, 0x41, 0x41,
};

/// s = n - s, big-endian.
static void negate_s(unsigned char *s) {
  int borrow = 0;
  for (int k = 31; k >= 0; k--) {
    int d = N[k] - s[k] - borrow;
    borrow = d < 0;
    s[k] = (unsigned char)(d + 256 * borrow);
  }
}

static double seconds(struct timespec a, struct timespec b) {
  return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) * 1e-9;
}

int main(int argc, char **argv) {
  long total = argc > 1 ? atol(argv[1]) : 1000000;
  int garbage_pct = argc > 2 ? atoi(argv[2]) : 5;
  if (argc > 3) rs = strtoull(argv[3], 0, 0) | 1;
  if (!braid_recover_x8_available()) {
    printf("no AVX-512 IFMA on this CPU\n");
    return 2;
  }
  secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  long handled = 0, fallback = 0, mismatches = 0, valid = 0;
  double tx8 = 0, tlib = 0;
  for (long g = 0; g < total / 8; g++) {
    unsigned char h[256], r[256], s[256], rid[8], pub[512], st[8];
    for (int i = 0; i < 8; i++) {
      rbytes(h + 32 * i, 32);
      if ((int)(rnd() % 100) < garbage_pct) {
        rbytes(r + 32 * i, 32);
        rbytes(s + 32 * i, 32);
        rid[i] = (unsigned char)(rnd() % 4);
        if (rnd() % 2) memset(r + 32 * i, 0, 16);
        continue;
      }
      unsigned char key[32], compact[64];
      secp256k1_ecdsa_recoverable_signature sig;
      int id;
      do rbytes(key, 32);
      while (!secp256k1_ec_seckey_verify(ctx, key));
      secp256k1_ecdsa_sign_recoverable(ctx, &sig, h + 32 * i, key, NULL, NULL);
      secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, compact, &id, &sig);
      memcpy(r + 32 * i, compact, 32);
      memcpy(s + 32 * i, compact + 32, 32);
      rid[i] = (unsigned char)id;
      if (rnd() % 4 == 0) {
        negate_s(s + 32 * i);
        rid[i] ^= 1;
      }
    }
    struct timespec a, b, c;
    clock_gettime(CLOCK_MONOTONIC, &a);
    braid_recover_x8(h, r, s, rid, pub, st);
    clock_gettime(CLOCK_MONOTONIC, &b);
    for (int i = 0; i < 8; i++) {
      unsigned char compact[64], ser[65];
      size_t len = sizeof ser;
      memcpy(compact, r + 32 * i, 32);
      memcpy(compact + 32, s + 32 * i, 32);
      secp256k1_ecdsa_recoverable_signature sig;
      secp256k1_pubkey pk;
      int ok = secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &sig, compact, rid[i]) &&
               secp256k1_ecdsa_recover(ctx, &pk, &sig, h + 32 * i);
      if (ok) {
        secp256k1_ec_pubkey_serialize(ctx, ser, &len, &pk, SECP256K1_EC_UNCOMPRESSED);
        valid++;
      }
      if (!st[i]) {
        fallback++;
        continue;
      }
      handled++;
      if (!ok || memcmp(ser + 1, pub + 64 * i, 64) != 0) {
        mismatches++;
        if (mismatches < 5) printf("MISMATCH group %ld lane %d (libsecp256k1 ok: %d)\n", g, i, ok);
      }
    }
    clock_gettime(CLOCK_MONOTONIC, &c);
    tx8 += seconds(a, b);
    tlib += seconds(b, c);
  }
  long n = total / 8 * 8;
  printf("lanes=%ld libsecp_valid=%ld handled=%ld fallback=%ld mismatches=%ld\n", n, valid, handled, fallback,
         mismatches);
  printf("x8: %.2f us/sig   libsecp (incl. compare): %.2f us/sig\n", tx8 / (double)n * 1e6, tlib / (double)n * 1e6);
  secp256k1_context_destroy(ctx);
  return mismatches != 0;
}
