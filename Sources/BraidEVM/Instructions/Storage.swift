/// Persistent and transient storage: SLOAD, SSTORE (EIP-2200/2929/3529), TLOAD, TSTORE (EIP-1153).
import BraidPrimitives

extension Interpreter {
  mutating func sload() {
    let (v, cold) = host.sload(msg.address, top().pointee)
    guard charge(cold ? Gas.coldSload : Gas.warmAccess) else { return }
    top().pointee = v
    pc &+= 1
  }

  mutating func sstore() {
    if msg.isStatic { return fail() }
    // EIP-2200: SSTORE needs more than the call stipend left, whatever it costs.
    if gas <= Gas.sstoreSentry { return fail() }
    let key = pop(), value = pop()
    let cost = host.sstore(msg.address, key, value)
    guard charge(cost) else { return }
    pc &+= 1
  }

  mutating func tload() {
    top().pointee = host.tload(msg.address, top().pointee)
    pc &+= 1
  }

  mutating func tstore() {
    if msg.isStatic { return fail() }
    let key = pop(), value = pop()
    host.tstore(msg.address, key, value)
    pc &+= 1
  }
}
