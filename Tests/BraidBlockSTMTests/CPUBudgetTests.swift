@testable import BraidBlockSTM
import Testing

/// Worker and event-loop defaults come from the CPU budget: a container's quota, not the
/// host's core count. Misreading a quota file would put dozens of busy workers on two cores.
struct CPUBudgetTests {
  @Test func cgroupV2QuotaRoundsUpToWholeCores() {
    #expect(CPUBudget.quotaCores(cpuMax: "200000 100000\n") == 2)
    #expect(CPUBudget.quotaCores(cpuMax: "150000 100000\n") == 2)
    #expect(CPUBudget.quotaCores(cpuMax: "50000 100000") == 1)
    #expect(CPUBudget.quotaCores(cpuMax: "max 100000\n") == nil)
    #expect(CPUBudget.quotaCores(cpuMax: "") == nil)
    #expect(CPUBudget.quotaCores(cpuMax: "garbage") == nil)
  }

  @Test func cgroupV1MinusOneIsNoLimit() {
    #expect(CPUBudget.quotaCores(quota: "-1\n", period: "100000\n") == nil)
    #expect(CPUBudget.quotaCores(quota: "400000\n", period: "100000\n") == 4)
    #expect(CPUBudget.quotaCores(quota: "400000\n", period: "0\n") == nil)
  }

  @Test func affinityMaskCountsSetBits() {
    #expect(CPUBudget.affinityCores(mask: "\tff\n") == nil)  // a newline is not part of a mask
    #expect(CPUBudget.affinityCores(mask: "\tff") == 8)
    #expect(CPUBudget.affinityCores(mask: "\t00000000,00000003") == 2)
    #expect(CPUBudget.affinityCores(mask: "\t0") == nil)
  }

  @Test func budgetIsWithinTheOnlineCores() {
    #expect(CPUBudget.cores >= 1)
    #expect(CPUBudget.cores <= WorkerThreads.onlineCores)
    if let affinity = CPUBudget.affinityCores() { #expect(CPUBudget.cores <= affinity) }
  }
}
