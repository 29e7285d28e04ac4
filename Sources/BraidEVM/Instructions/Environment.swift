/// Environment and block information: BALANCE, CALLDATA*, CODE*, EXTCODE*, RETURNDATA*,
/// BLOCKHASH, BLOBHASH (EIP-4844). Account reads charge EIP-2929 warm/cold costs.
import BraidPrimitives

extension Interpreter {
  /// Charges the EIP-2929 access cost for `a` and warms it.
  @inline(__always) mutating func chargeAccess(_ a: Address) -> Bool {
    charge(host.warmAccount(a) ? Gas.coldAccountAccess : Gas.warmAccess)
  }

  mutating func balance() {
    let a = Address(word: top().pointee)
    guard chargeAccess(a) else { return }
    top().pointee = host.balance(a)
    pc &+= 1
  }

  mutating func calldataload() {
    let offset = top().pointee
    var v = UInt256.zero
    if let o = offset.asInt, o < msg.input.count {
      var buf = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
      withUnsafeMutableBytes(of: &buf) { b in
        msg.input.withUnsafeBytes { src in
          let n = min(32, src.count - o)
          b.baseAddress!.copyMemory(from: src.baseAddress! + o, byteCount: n)
        }
        v = UInt256(bigEndianRaw: UnsafeRawPointer(b.baseAddress!))
      }
    }
    top().pointee = v
    pc &+= 1
  }

  /// Shared by the *COPY instructions: memory expansion, 3 gas per word, padded copy.
  @inline(__always) mutating func copyToMemory(_ src: UnsafeRawBufferPointer, memOffset: UInt256, srcOffset: UInt256, size: UInt256) {
    guard let m = memoryRegion(memOffset, size) else { return }
    let s = size.clampedInt
    guard charge(Gas.copyWord * Gas.words(s)) else { return }
    let so = srcOffset.asInt.map { min($0, src.count) } ?? src.count
    memory.copyPadded(to: m, from: src, srcOffset: so, count: s)
    pc &+= 1
  }

  mutating func calldatacopy() {
    let m = pop(), o = pop(), s = pop()
    msg.input.withUnsafeBytes { copyToMemory($0, memOffset: m, srcOffset: o, size: s) }
  }

  mutating func codecopy() {
    let m = pop(), o = pop(), s = pop()
    let c = code
    copyToMemory(UnsafeRawBufferPointer(start: c.ptr, count: c.count), memOffset: m, srcOffset: o, size: s)
  }

  mutating func extcodesize() {
    let a = Address(word: top().pointee)
    guard chargeAccess(a) else { return }
    top().pointee = UInt256(host.code(a).count)
    pc &+= 1
  }

  mutating func extcodecopy() {
    let a = Address(word: pop())
    guard chargeAccess(a) else { return }
    let m = pop(), o = pop(), s = pop()
    let c = host.code(a)
    copyToMemory(UnsafeRawBufferPointer(start: c.ptr, count: c.count), memOffset: m, srcOffset: o, size: s)
  }

  mutating func returndatacopy() {
    let m = pop(), o = pop(), s = pop()
    // EIP-211: reading past the end of the return data is an exceptional halt.
    let (end, overflow) = o.addingReportingOverflow(s)
    guard !overflow, let e = end.asInt, e <= returnData.count else { return fail() }
    returnData.withUnsafeBytes { copyToMemory($0, memOffset: m, srcOffset: o, size: s) }
  }

  mutating func extcodehash() {
    let a = Address(word: top().pointee)
    guard chargeAccess(a) else { return }
    let i = host.index(a)
    top().pointee = host.isEmpty(i) ? .zero : host.code(i).hash.word
    pc &+= 1
  }

  mutating func blockhash() {
    let n = top().pointee
    let current = host.block.number
    var v = UInt256.zero
    if n.fitsUInt64 && n.w0 < current && current - n.w0 <= 256 {
      v = host.state.blockHash(number: n.w0).word
    }
    top().pointee = v
    pc &+= 1
  }

  mutating func blobhash() {
    let i = top().pointee
    if let idx = i.asInt, idx < host.blobHashes.count {
      top().pointee = host.blobHashes[idx].word
    } else {
      top().pointee = .zero
    }
    pc &+= 1
  }
}
