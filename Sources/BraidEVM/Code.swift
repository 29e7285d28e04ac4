/// Contract code with its JUMPDEST analysis, computed once per code and shared.
import BraidPrimitives

/// Bytecode plus a bitmap of valid jump destinations. A class so that analysis is shared
/// by every frame that runs the same code; immutable after init, hence Sendable.
public final class Code: Sendable {
  public let bytes: Bytes
  public let hash: Hash32
  /// Bit i set when byte i is a JUMPDEST opcode and not inside PUSH data.
  let jumpdests: [UInt64]

  public static let empty = Code(bytes: [], hash: .emptyCode)

  public convenience init(_ bytes: Bytes) {
    self.init(bytes: bytes, hash: bytes.isEmpty ? .emptyCode : Keccak256.hash(bytes))
  }

  public init(bytes: Bytes, hash: Hash32) {
    self.bytes = bytes
    self.hash = hash
    var map = [UInt64](repeating: 0, count: bytes.count / 64 + 1)
    var i = 0
    let n = bytes.count
    while i < n {
      let op = bytes[i]
      if op == 0x5b {
        map[i >> 6] |= 1 << UInt64(i & 63)
      } else if op >= 0x60 && op <= 0x7f {
        i += Int(op - 0x5f)
      }
      i += 1
    }
    self.jumpdests = map
  }

  @inline(__always) public var isEmpty: Bool { bytes.isEmpty }

  @inline(__always) func isJumpdest(_ pc: Int) -> Bool {
    pc < bytes.count && (jumpdests[pc >> 6] >> UInt64(pc & 63)) & 1 == 1
  }
}
