@testable import BraidBlockSTM
import Testing

/// A worker naps only after a run of suspensions that each spent the whole wait budget; an
/// ordinary suspension, or any finished execution, must not make it nap or keep it napping.
struct FutileWaitsTests {
  @Test func onlyConsecutiveWaitsInVainCount() {
    var futile = FutileWaits()
    futile.suspended(afterWaitingInVain: false)
    #expect(futile.run == 0)
    futile.suspended(afterWaitingInVain: true)
    #expect(futile.run == 1)
    futile.suspended(afterWaitingInVain: false)
    #expect(futile.run == 1, "a suspension without a wait neither counts nor ends the run")
    futile.suspended(afterWaitingInVain: true)
    #expect(futile.run == 2)
    futile.reset()
    #expect(futile.run == 0, "a finished execution ends the run")
  }
}
