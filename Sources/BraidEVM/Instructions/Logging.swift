/// LOG0–LOG4.
import BraidPrimitives

extension Interpreter {
  mutating func log(_ topicCount: Int) {
    if msg.isStatic { return fail() }
    let offset = pop(), size = pop()
    var topics: [Hash32] = []
    topics.reserveCapacity(topicCount)
    for _ in 0..<topicCount { topics.append(Hash32(word: pop())) }
    guard let o = memoryRegion(offset, size) else { return }
    let s = size.clampedInt
    guard charge(Gas.logData * s) else { return }
    host.logs.append(Log(address: msg.address, topics: topics, data: memory.bytes(o, s)))
    pc &+= 1
  }
}
