/// How a caller that keeps readers on a state while a block changes it in place (the node)
/// takes part in the block's writes: every change is recorded (`StateUndo`) and applied
/// inside the caller's exclusion, so readers never see a write half done and can still read
/// the state from before the block.
import BraidEVM

public final class StateWriteGuard: Sendable {
  private let exclusive: @Sendable (_ body: (inout StateUndo) -> Void) -> Void

  /// `exclusive` runs `body` with the record of the block being applied, inside whatever
  /// keeps readers out.
  public init(_ exclusive: @escaping @Sendable (_ body: (inout StateUndo) -> Void) -> Void) {
    self.exclusive = exclusive
  }

  func write(_ body: (inout StateUndo) -> Void) { exclusive(body) }
}
