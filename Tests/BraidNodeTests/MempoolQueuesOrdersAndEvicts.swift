import BraidEVM
import BraidPrimitives
import Testing

@testable import BraidNode

@Suite struct MempoolQueuesOrdersAndEvicts {
  @Test func aNonceGapWaitsAsFutureUntilFilled() throws {
    let pool = Fixture.mempool()
    _ = try pool.add(raw: Fixture.transfer(from: 0, nonce: 0)).get()
    _ = try pool.add(raw: Fixture.transfer(from: 0, nonce: 2)).get()
    #expect(pool.pendingCount == 1)
    #expect(pool.pendingNonce(of: Fixture.address(0)) == 1)
    _ = try pool.add(raw: Fixture.transfer(from: 0, nonce: 1)).get()
    #expect(pool.pendingCount == 3)
    #expect(pool.pendingNonce(of: Fixture.address(0)) == 3)
  }

  @Test func selectionKeepsNonceOrderAndPrefersHigherTips() throws {
    let pool = Fixture.mempool()
    // Sender 0 tips 1 gwei, sender 1 tips 2 gwei; sender 2 ties sender 0 but arrives later.
    for n in 0..<3 { _ = try pool.add(raw: Fixture.transfer(from: 0, nonce: UInt64(n))).get() }
    for n in 0..<2 {
      _ = try pool.add(raw: Fixture.transfer(from: 1, nonce: UInt64(n), tip: Fixture.gwei(2))).get()
    }
    _ = try pool.add(raw: Fixture.transfer(from: 2, nonce: 0)).get()
    let order = pool.selectPending(maxCount: 100, gasLimit: 30_000_000).map { ($0.sender, $0.nonce) }
    let a0 = Fixture.address(0)
    let a1 = Fixture.address(1)
    let a2 = Fixture.address(2)
    let expected = [(a1, 0), (a1, 1), (a0, 0), (a0, 1), (a0, 2), (a2, 0)].map { ($0.0, UInt64($0.1)) }
    #expect(order.map(\.0) == expected.map(\.0))
    #expect(order.map(\.1) == expected.map(\.1))
  }

  @Test func selectionRespectsCountAndGas() throws {
    let pool = Fixture.mempool()
    for n in 0..<5 { _ = try pool.add(raw: Fixture.transfer(from: 0, nonce: UInt64(n))).get() }
    #expect(pool.selectPending(maxCount: 3, gasLimit: 30_000_000).count == 3)
    #expect(pool.selectPending(maxCount: 100, gasLimit: 50_000).count == 2)
  }

  @Test func aFeeCapBelowARisenBaseFeeWaitsInsteadOfRunning() throws {
    let pool = Fixture.mempool()
    _ = try pool.add(raw: Fixture.transfer(from: 0, nonce: 0, maxFee: Fixture.gwei(2))).get()
    _ = try pool.add(raw: Fixture.transfer(from: 0, nonce: 1, maxFee: Fixture.gwei(9))).get()
    _ = try pool.add(raw: Fixture.transfer(from: 1, nonce: 0, maxFee: Fixture.gwei(9))).get()
    pool.commit(head: Fixture.state(senders: 4), nextBaseFee: Fixture.gwei(3), senders: [], excluded: []) {}
    #expect(pool.selectPending(maxCount: 10, gasLimit: 30_000_000).map(\.sender) == [Fixture.address(1)])
    pool.commit(head: Fixture.state(senders: 4), nextBaseFee: Fixture.gwei(1), senders: [], excluded: []) {}
    #expect(pool.selectPending(maxCount: 10, gasLimit: 30_000_000).count == 3)
  }

  @Test func aFullPoolEvictsTheCheapestFuture() throws {
    let pool = Fixture.mempool(limits: MempoolLimits(maxTotal: 3))
    _ = try pool.add(raw: Fixture.transfer(from: 0, nonce: 0)).get()
    let cheap = try pool.add(raw: Fixture.transfer(from: 1, nonce: 5, maxFee: Fixture.gwei(2))).get()
    _ = try pool.add(raw: Fixture.transfer(from: 2, nonce: 5, maxFee: Fixture.gwei(4))).get()
    // A future paying no more than the cheapest future is refused...
    #expect(
      pool.add(raw: Fixture.transfer(from: 3, nonce: 7, maxFee: Fixture.gwei(2))).failureMessage
        == "txpool is full")
    // ...a pending one makes room.
    _ = try pool.add(raw: Fixture.transfer(from: 3, nonce: 0)).get()
    #expect(pool.count == 3)
    #expect(pool.transaction(hash: cheap.hash) == nil)
    #expect(pool.rejectionReason(hash: cheap.hash) == "dropped: txpool is full")
  }

  @Test func perSenderFutureLimitKeepsTheLowestNonces() throws {
    let pool = Fixture.mempool(limits: MempoolLimits(maxFuturePerSender: 2))
    _ = try pool.add(raw: Fixture.transfer(from: 0, nonce: 5)).get()
    let highest = try pool.add(raw: Fixture.transfer(from: 0, nonce: 9)).get()
    #expect(pool.add(raw: Fixture.transfer(from: 0, nonce: 10)).failureMessage == "txpool is full")
    _ = try pool.add(raw: Fixture.transfer(from: 0, nonce: 3)).get()
    #expect(pool.transaction(hash: highest.hash) == nil)
    #expect(pool.count == 2)
  }

  @Test func pendingLoadCountsGasThroughReplacementAndCommit() throws {
    let pool = Fixture.mempool()
    _ = try pool.add(raw: Fixture.transfer(from: 0, nonce: 0)).get()
    _ = try pool.add(raw: Fixture.transfer(from: 0, nonce: 2, gas: 50_000)).get()
    #expect(pool.pendingLoad == PendingLoad(count: 1, gas: 21_000))
    _ = try pool.add(raw: Fixture.transfer(from: 0, nonce: 1, gas: 30_000)).get()
    #expect(pool.pendingLoad == PendingLoad(count: 3, gas: 101_000))
    _ = try pool.add(
      raw: Fixture.transfer(from: 0, nonce: 1, maxFee: Fixture.gwei(4), tip: Fixture.gwei(2), gas: 40_000)
    ).get()
    #expect(pool.pendingLoad == PendingLoad(count: 3, gas: 111_000))
    var head = Fixture.state(senders: 4)
    head.accounts[Fixture.address(0)]!.nonce = 2
    pool.commit(head: head, nextBaseFee: Fixture.gwei(1), senders: [Fixture.address(0)], excluded: []) {}
    #expect(pool.pendingLoad == PendingLoad(count: 1, gas: 50_000))
  }

  @Test func commitDropsIncludedAndPromotesFutures() throws {
    let pool = Fixture.mempool()
    _ = try pool.add(raw: Fixture.transfer(from: 0, nonce: 0)).get()
    _ = try pool.add(raw: Fixture.transfer(from: 0, nonce: 2)).get()
    var head = Fixture.state(senders: 4)
    head.accounts[Fixture.address(0)]!.nonce = 2
    pool.commit(head: head, nextBaseFee: Fixture.gwei(1), senders: [Fixture.address(0)], excluded: []) {}
    #expect(pool.count == 1)
    #expect(pool.pendingCount == 1)
    #expect(pool.pendingNonce(of: Fixture.address(0)) == 3)
  }
}
