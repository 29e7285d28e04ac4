/// Arithmetic, comparison and bitwise instructions (0x01–0x1d).
import BraidPrimitives

extension Interpreter {
  /// Pops b... the EVM's operand order: `f(top, second)` replaces the two with the result.
  @inline(__always) mutating func binary(_ f: (UInt256, UInt256) -> UInt256) {
    let a = stack[sp &- 1]
    let b = stack[sp &- 2]
    sp &-= 1
    stack[sp &- 1] = f(a, b)
    pc &+= 1
  }

  mutating func addmod() {
    let a = pop(), b = pop()
    top().pointee = UInt256.addMod(a, b, top().pointee)
    pc &+= 1
  }

  mutating func mulmod() {
    let a = pop(), b = pop()
    top().pointee = UInt256.mulMod(a, b, top().pointee)
    pc &+= 1
  }

  mutating func exp() {
    let base = pop()
    let e = top().pointee
    guard charge(Gas.expByte * e.byteWidth) else { return }
    top().pointee = base.power(e)
    pc &+= 1
  }
}
