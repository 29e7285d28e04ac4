/// Control flow: JUMP, JUMPI, RETURN, REVERT (STOP and JUMPDEST are inline in the loop).
import BraidPrimitives

extension Interpreter {
  @inline(__always) mutating func jump() {
    let dest = pop()
    guard let d = dest.asInt, code.isJumpdest(d) else { return fail() }
    pc = d
  }

  @inline(__always) mutating func jumpi() {
    let dest = pop()
    let cond = pop()
    if cond.isZero {
      pc &+= 1
      return
    }
    guard let d = dest.asInt, code.isJumpdest(d) else { return fail() }
    pc = d
  }

  mutating func returnOrRevert(_ status: FrameStatus) {
    let offset = pop(), size = pop()
    guard let o = memoryRegion(offset, size) else { return }
    result = FrameResult(status: status, gasLeft: gas, output: memory.bytes(o, size.clampedInt))
  }
}
