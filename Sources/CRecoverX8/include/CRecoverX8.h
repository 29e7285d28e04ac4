/// Eight secp256k1 ECDSA public-key recoveries at once in AVX-512 IFMA lanes (our own code);
/// every lane it does not claim is left for libsecp256k1 to decide.
#ifndef BRAID_CRECOVERX8_H
#define BRAID_CRECOVERX8_H

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when braid_recover_x8 may be called on this CPU (AVX-512F, DQ and IFMA), else 0.
int braid_recover_x8_available(void);

/// Eight secp256k1 public-key recoveries at once. Lane i: hashes[32i..], r[32i..], s[32i..]
/// big-endian, recid[i]. On status[i] == 1, pub[64i..] holds x ‖ y (big-endian, canonical).
/// status[i] == 0 means "not handled here": the caller must ask libsecp256k1 for that lane
/// (it decides whether the signature is invalid). Never 1 with a wrong key.
void braid_recover_x8(const unsigned char *hashes, const unsigned char *r, const unsigned char *s,
                      const unsigned char *recid, unsigned char *pub, unsigned char *status);

#ifdef __cplusplus
}
#endif

#endif
