import BraidEVM
import BraidPrimitives
import Testing

@testable import BraidNode

@Suite struct AdmissionRefusesInGethWords {
  @Test func acceptsAValidTransferAndCountsItPending() throws {
    let pool = Fixture.mempool()
    let signed = try Fixture.mempool().add(raw: Fixture.transfer(from: 0, nonce: 0)).get()
    #expect(try pool.add(raw: Fixture.transfer(from: 0, nonce: 0)).get().hash == signed.hash)
    #expect(pool.pendingCount == 1)
    #expect(pool.pendingNonce(of: Fixture.address(0)) == 1)
  }

  @Test func nonceTooLow() {
    var state = Fixture.state(senders: 1)
    state.accounts[Fixture.address(0)]!.nonce = 5
    let pool = Fixture.mempool(state: state)
    #expect(
      pool.add(raw: Fixture.transfer(from: 0, nonce: 4)).failureMessage
        == "nonce too low: next nonce 5, tx nonce 4")
  }

  @Test func insufficientFunds() {
    let pool = Fixture.mempool(state: Fixture.state(senders: 1, balance: UInt256(21_000)))
    #expect(
      pool.add(raw: Fixture.transfer(from: 0, nonce: 0)).failureMessage
        == "insufficient funds for gas * price + value")
    // An account the state has never seen has nothing.
    #expect(
      pool.add(raw: Fixture.transfer(from: 3, nonce: 0)).failureMessage
        == "insufficient funds for gas * price + value")
  }

  @Test func feeCapBelowBaseFeeIsUnderpriced() throws {
    let pool = Fixture.mempool(baseFee: Fixture.gwei(5))
    let message = try #require(pool.add(raw: Fixture.transfer(from: 0, nonce: 0)).failureMessage)
    #expect(message.hasPrefix("transaction underpriced"))
  }

  @Test func intrinsicGasTooLow() {
    let pool = Fixture.mempool()
    #expect(
      pool.add(raw: Fixture.transfer(from: 0, nonce: 0, gas: 20_000)).failureMessage
        == "intrinsic gas too low: gas 20000, minimum needed 21000")
  }

  @Test func exceedsBlockGasLimit() {
    let pool = Fixture.mempool()
    #expect(
      pool.add(raw: Fixture.transfer(from: 0, nonce: 0, gas: 30_000_001)).failureMessage
        == "exceeds block gas limit")
  }

  @Test func oversizedData() {
    let pool = Fixture.mempool()
    let raw = Fixture.transfer(
      from: 0, nonce: 0, gas: 29_000_000, data: [UInt8](repeating: 1, count: 128 * 1024))
    #expect(pool.add(raw: raw).failureMessage == "oversized data")
  }

  @Test func alreadyKnown() {
    let pool = Fixture.mempool()
    let raw = Fixture.transfer(from: 0, nonce: 0)
    _ = pool.add(raw: raw)
    #expect(pool.add(raw: raw).failureMessage == "already known")
  }

  @Test func wrongChainId() {
    let pool = Fixture.mempool()
    #expect(
      pool.add(raw: Fixture.transfer(from: 0, nonce: 0, chainId: 1)).failureMessage
        == "invalid chain id for signer")
  }

  @Test func blobTransactionsAreRefusedClearly() throws {
    let pool = Fixture.mempool()
    let message = try #require(pool.add(raw: [0x03, 0xc0]).failureMessage)
    #expect(message.contains("blob transactions (type 3) are not accepted"))
  }

  @Test func replacementNeedsATenPercentBumpOfBothFees() throws {
    let pool = Fixture.mempool()
    _ = try pool.add(raw: Fixture.transfer(from: 0, nonce: 0, maxFee: Fixture.gwei(10), tip: Fixture.gwei(2)))
      .get()
    // The cap rises 10% but the tip only 5%.
    let weak = Fixture.transfer(from: 0, nonce: 0, maxFee: Fixture.gwei(11), tip: UInt256(2_100_000_000))
    #expect(pool.add(raw: weak).failureMessage == "replacement transaction underpriced")
    let strong = try pool.add(
      raw: Fixture.transfer(from: 0, nonce: 0, maxFee: Fixture.gwei(11), tip: UInt256(2_200_000_000))
    ).get()
    #expect(pool.count == 1)
    #expect(pool.transaction(hash: strong.hash) != nil)
  }

  @Test func refusalsAreRememberedForStatusQueries() throws {
    let pool = Fixture.mempool()
    let raw = Fixture.transfer(from: 0, nonce: 0, gas: 20_000)
    _ = pool.add(raw: raw)
    let hash = try SignedTransaction.decode(raw).hash
    #expect(pool.rejectionReason(hash: hash)?.hasPrefix("intrinsic gas too low") == true)
  }
}
