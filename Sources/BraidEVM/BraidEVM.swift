/// The Cancun EVM: interpreter, gas schedule, precompiles and transaction processing.
