/// Contract code with its JUMPDEST analysis, computed once per code and shared.
import BraidPrimitives

/// Bytecode plus a bitmap of valid jump destinations, in a buffer padded with zero bytes
/// (32 before, 64 after) so that the interpreter reads PUSH immediates and the opcode
/// after a truncated PUSH32 at the very end (an implicit STOP) without bounds checks.
///
/// `@unchecked Sendable`: the buffer is written only in `init` and freed only in `deinit`;
/// in between it is read-only, so sharing across threads is safe.
public final class Code: @unchecked Sendable {
  public let bytes: Bytes
  public let hash: Hash32
  /// First code byte; 32 readable zero bytes precede it and 64 follow the last one.
  let ptr: UnsafeMutablePointer<UInt8>
  let count: Int
  /// Bit i set when byte i is a JUMPDEST opcode and not inside PUSH data.
  private let jumpdests: UnsafeMutablePointer<UInt64>

  public static let empty = Code(bytes: [], hash: .emptyCode)

  public convenience init(_ bytes: Bytes) {
    self.init(bytes: bytes, hash: bytes.isEmpty ? .emptyCode : Keccak256.hash(bytes))
  }

  public init(bytes: Bytes, hash: Hash32) {
    self.bytes = bytes
    self.hash = hash
    let n = bytes.count
    count = n
    let base = UnsafeMutablePointer<UInt8>.allocate(capacity: n + 96)
    base.initialize(repeating: 0, count: n + 96)
    if n > 0 { bytes.withUnsafeBufferPointer { (base + 32).update(from: $0.baseAddress!, count: n) } }
    ptr = base + 32
    let words = n / 64 + 1
    jumpdests = .allocate(capacity: words)
    jumpdests.initialize(repeating: 0, count: words)
    var i = 0
    while i < n {
      let op = bytes[i]
      if op == 0x5b {
        jumpdests[i >> 6] |= 1 << UInt64(i & 63)
      } else if op >= 0x60 && op <= 0x7f {
        i += Int(op - 0x5f)
      }
      i += 1
    }
  }

  deinit {
    (ptr - 32).deallocate()
    jumpdests.deallocate()
  }

  @inline(__always) public var isEmpty: Bool { count == 0 }

  @inline(__always) func isJumpdest(_ pc: Int) -> Bool {
    pc < count && (jumpdests[pc >> 6] >> UInt64(pc & 63)) & 1 == 1
  }
}
