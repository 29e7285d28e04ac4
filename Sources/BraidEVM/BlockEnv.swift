/// The block a transaction executes in: what COINBASE, NUMBER, BASEFEE and friends return.
import BraidPrimitives

public struct BlockEnv: Sendable {
  public var chainId: UInt64
  public var number: UInt64
  public var timestamp: UInt64
  public var coinbase: Address
  public var gasLimit: UInt64
  public var baseFee: UInt256
  /// PREVRANDAO (EIP-4399).
  public var prevRandao: UInt256
  /// Cancun: the excess blob gas of the block, from which BLOBBASEFEE derives (EIP-4844).
  public var excessBlobGas: UInt64

  public init(
    chainId: UInt64 = 1, number: UInt64, timestamp: UInt64, coinbase: Address, gasLimit: UInt64,
    baseFee: UInt256, prevRandao: UInt256 = .zero, excessBlobGas: UInt64 = 0
  ) {
    self.chainId = chainId
    self.number = number
    self.timestamp = timestamp
    self.coinbase = coinbase
    self.gasLimit = gasLimit
    self.baseFee = baseFee
    self.prevRandao = prevRandao
    self.excessBlobGas = excessBlobGas
  }

  /// fake_exponential(MIN_BLOB_BASE_FEE, excess_blob_gas, BLOB_BASE_FEE_UPDATE_FRACTION), EIP-4844.
  public var blobBaseFee: UInt256 {
    let factor = UInt256(1), numerator = UInt256(excessBlobGas), denominator = UInt256(3_338_477)
    var i = UInt256(1)
    var output = UInt256.zero
    var acc = factor &* denominator
    while !acc.isZero {
      output = output &+ acc
      acc = (acc &* numerator) / (denominator &* i)
      i = i &+ .one
    }
    return output / denominator
  }
}
