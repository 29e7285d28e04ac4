/// A transaction as the EVM sees it: decoded, with its sender already recovered.
import BraidPrimitives

public struct AccessListEntry: Sendable, Equatable {
  public var address: Address
  public var storageKeys: [UInt256]
  public init(address: Address, storageKeys: [UInt256]) {
    self.address = address
    self.storageKeys = storageKeys
  }
}

public struct Transaction: Sendable {
  // The fields a block executor reads for every transaction before it runs any (sender,
  // recipient, gas limit, nonce) come first, within 64 bytes: a pass over ten thousand
  // transactions then touches one or two cache lines of each rather than three.
  public var sender: Address
  /// Nil creates a contract.
  public var to: Address?
  public var gasLimit: UInt64
  public var nonce: UInt64
  /// EIP-2718 type: 0 legacy, 1 access list (EIP-2930), 2 dynamic fee (EIP-1559), 3 blob (EIP-4844).
  public var type: UInt8
  /// Nil for a legacy transaction without replay protection (pre-EIP-155).
  public var chainId: UInt64?
  public var value: UInt256
  /// For types 0 and 1 both fee fields equal the gas price.
  public var maxFeePerGas: UInt256
  public var maxPriorityFeePerGas: UInt256
  public var data: Bytes
  public var accessList: [AccessListEntry]
  public var maxFeePerBlobGas: UInt256
  public var blobVersionedHashes: [Hash32]

  public init(
    type: UInt8, chainId: UInt64?, nonce: UInt64, gasLimit: UInt64, maxFeePerGas: UInt256,
    maxPriorityFeePerGas: UInt256, to: Address?, value: UInt256, data: Bytes,
    accessList: [AccessListEntry] = [], maxFeePerBlobGas: UInt256 = .zero,
    blobVersionedHashes: [Hash32] = [], sender: Address
  ) {
    self.type = type
    self.chainId = chainId
    self.nonce = nonce
    self.gasLimit = gasLimit
    self.maxFeePerGas = maxFeePerGas
    self.maxPriorityFeePerGas = maxPriorityFeePerGas
    self.to = to
    self.value = value
    self.data = data
    self.accessList = accessList
    self.maxFeePerBlobGas = maxFeePerBlobGas
    self.blobVersionedHashes = blobVersionedHashes
    self.sender = sender
  }

  /// A legacy or EIP-2930 transaction with a single gas price.
  public static func legacy(
    type: UInt8 = 0, chainId: UInt64? = 1, nonce: UInt64, gasPrice: UInt256, gasLimit: UInt64, to: Address?,
    value: UInt256, data: Bytes, accessList: [AccessListEntry] = [], sender: Address
  ) -> Transaction {
    Transaction(
      type: type, chainId: chainId, nonce: nonce, gasLimit: gasLimit, maxFeePerGas: gasPrice,
      maxPriorityFeePerGas: gasPrice, to: to, value: value, data: data, accessList: accessList, sender: sender)
  }
}
