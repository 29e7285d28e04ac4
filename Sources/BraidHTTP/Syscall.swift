/// The one place the server calls the kernel: every system call goes through `syscall`,
/// which retries EINTR and turns errno into a typed `IOError`, so no caller forgets either.
#if canImport(Glibc)
  import Glibc
#endif

public struct IOError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The conditions callers act on; everything else is `.other`.
  public enum Kind: Sendable, Equatable {
    /// EAGAIN/EWOULDBLOCK: a non-blocking call would block.
    case wouldBlock
    case connectionReset
    case brokenPipe
    case connectionAborted
    /// EMFILE, ENFILE, ENOBUFS, ENOMEM: out of descriptors or kernel memory.
    case resourceExhausted
    case addressInUse
    case addressNotAvailable
    case invalidArgument
    case other
  }

  public let errno: Int32
  public let function: String

  public init(errno: Int32, function: String) {
    self.errno = errno
    self.function = function
  }

  public var kind: Kind {
    switch errno {
    case EAGAIN, EWOULDBLOCK: return .wouldBlock
    case ECONNRESET: return .connectionReset
    case EPIPE: return .brokenPipe
    case ECONNABORTED, EPROTO: return .connectionAborted
    case EMFILE, ENFILE, ENOBUFS, ENOMEM: return .resourceExhausted
    case EADDRINUSE: return .addressInUse
    case EADDRNOTAVAIL: return .addressNotAvailable
    case EINVAL: return .invalidArgument
    default: return .other
    }
  }

  public var description: String {
    let message = strerror(errno).map { String(cString: $0) } ?? "errno \(errno)"
    return "\(function): \(message)"
  }
}

/// Runs a system call that returns -1 and sets errno on failure, retrying EINTR.
@inline(__always)
func syscall<T: FixedWidthInteger>(_ function: StaticString, _ body: () -> T) throws(IOError) -> T {
  while true {
    let result = body()
    if result != -1 { return result }
    let code = errno
    if code == EINTR { continue }
    throw IOError(errno: code, function: String(describing: function))
  }
}

/// close(2) is the exception: on Linux the descriptor is released even when close returns
/// EINTR, and retrying could close a descriptor another thread has just been given.
func closeDescriptor(_ fd: Int32) {
  _ = close(fd)
}

/// CLOCK_MONOTONIC in nanoseconds: deadlines must not move when the wall clock does.
func monotonicNanoseconds() -> UInt64 {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

func wallClockSeconds() -> Int {
  var ts = timespec()
  clock_gettime(CLOCK_REALTIME, &ts)
  return Int(ts.tv_sec)
}

extension Duration {
  var nanoseconds: UInt64 {
    let (seconds, attoseconds) = components
    guard seconds >= 0 else { return 0 }
    return UInt64(seconds) &* 1_000_000_000 &+ UInt64(attoseconds / 1_000_000_000)
  }
}
