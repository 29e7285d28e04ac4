/// Cryptographic primitives for the EVM: signature recovery, hashes and precompile math.
