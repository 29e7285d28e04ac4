/// Thin, typed wrappers over the socket, epoll and eventfd calls the event loop makes.
/// Each goes through `syscall`; none allocates.
import CEpoll
#if canImport(Glibc)
  import Glibc
#endif

enum Socket {
  /// A non-blocking TCP listening socket. `SO_REUSEPORT` lets every event loop bind its
  /// own socket to the same port, and the kernel spreads incoming connections across them
  /// with no shared accept queue and no lock.
  static func listen(host: String, port: Int, backlog: Int32) throws(IOError) -> Int32 {
    var storage = sockaddr_storage()
    let length: socklen_t
    let family: Int32
    var v4 = in_addr()
    var v6 = in6_addr()
    if inet_pton(AF_INET, host, &v4) == 1 {
      family = AF_INET
      withUnsafeMutableBytes(of: &storage) { raw in
        let sin = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self)
        sin.pointee.sin_family = sa_family_t(AF_INET)
        sin.pointee.sin_port = in_port_t(UInt16(port).bigEndian)
        sin.pointee.sin_addr = v4
      }
      length = socklen_t(MemoryLayout<sockaddr_in>.size)
    } else if inet_pton(AF_INET6, host, &v6) == 1 {
      family = AF_INET6
      withUnsafeMutableBytes(of: &storage) { raw in
        let sin6 = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self)
        sin6.pointee.sin6_family = sa_family_t(AF_INET6)
        sin6.pointee.sin6_port = in_port_t(UInt16(port).bigEndian)
        sin6.pointee.sin6_addr = v6
      }
      length = socklen_t(MemoryLayout<sockaddr_in6>.size)
    } else {
      throw IOError(errno: EINVAL, function: "inet_pton(\(host))")
    }

    let fd = try syscall("socket") {
      socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    }
    do {
      try setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
      try setOption(fd, SOL_SOCKET, SO_REUSEPORT, 1)
      _ = try withUnsafePointer(to: &storage) { p throws(IOError) in
        try p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa throws(IOError) in
          try syscall("bind") { bind(fd, sa, length) }
        }
      }
      _ = try syscall("listen") { Glibc.listen(fd, backlog) }
    } catch {
      closeDescriptor(fd)
      throw error
    }
    return fd
  }

  static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) throws(IOError) {
    var v = value
    _ = try syscall("setsockopt") { setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size)) }
  }

  /// The port the socket is bound to (the kernel's choice when bound to port 0).
  static func localPort(_ fd: Int32) throws(IOError) -> Int {
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    _ = try withUnsafeMutablePointer(to: &storage) { p throws(IOError) in
      try p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa throws(IOError) in
        try syscall("getsockname") { getsockname(fd, sa, &length) }
      }
    }
    return withUnsafeBytes(of: &storage) { raw in
      if Int32(raw.load(as: sa_family_t.self)) == AF_INET6 {
        return Int(UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port))
      }
      return Int(UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port))
    }
  }

  /// A connected, non-blocking, close-on-exec socket, or nil when the queue is empty.
  static func accept(_ listenFD: Int32) throws(IOError) -> Int32? {
    do {
      return try syscall("accept4") {
        accept4(listenFD, nil, nil, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
      }
    } catch where error.kind == .wouldBlock {
      return nil
    }
  }

  /// Bytes read, 0 at end of stream, nil when nothing is available.
  static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(IOError) -> Int? {
    do {
      return try syscall("read") { Glibc.read(fd, buffer.baseAddress, buffer.count) }
    } catch where error.kind == .wouldBlock {
      return nil
    }
  }

  /// Bytes written; 0 when the socket buffer is full. MSG_NOSIGNAL turns a write to a
  /// closed peer into EPIPE instead of a process-killing SIGPIPE.
  static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(IOError) -> Int {
    do {
      return try syscall("send") { send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
    } catch where error.kind == .wouldBlock {
      return 0
    }
  }

  static func shutdownWrite(_ fd: Int32) {
    _ = try? syscall("shutdown") { Glibc.shutdown(fd, Int32(SHUT_WR)) }
  }
}

/// An epoll instance. Level-triggered: a connection that stops reading for back-pressure
/// simply drops EPOLLIN from its interest set and nothing is lost.
struct Epoll {
  let fd: Int32

  init() throws(IOError) {
    fd = try syscall("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) }
  }

  func add(_ target: Int32, events: UInt32, token: UInt64) throws(IOError) {
    try control(EPOLL_CTL_ADD, target, events: events, token: token)
  }

  func modify(_ target: Int32, events: UInt32, token: UInt64) throws(IOError) {
    try control(EPOLL_CTL_MOD, target, events: events, token: token)
  }

  func remove(_ target: Int32) {
    var event = epoll_event()
    _ = try? syscall("epoll_ctl") { epoll_ctl(fd, EPOLL_CTL_DEL, target, &event) }
  }

  private func control(_ op: Int32, _ target: Int32, events: UInt32, token: UInt64) throws(IOError) {
    var event = epoll_event(events: events, data: epoll_data_t(u64: token))
    _ = try syscall("epoll_ctl") { epoll_ctl(fd, op, target, &event) }
  }

  /// Waits for events; an interrupted wait (a signal) returns zero events instead of
  /// retrying, so the caller re-checks its timers and shutdown flag.
  func wait(_ events: UnsafeMutableBufferPointer<epoll_event>, timeoutMilliseconds: Int32) -> Int {
    let n = epoll_wait(fd, events.baseAddress, Int32(events.count), timeoutMilliseconds)
    return n < 0 ? 0 : Int(n)
  }
}

enum EventMask {
  static let readable = EPOLLIN.rawValue | EPOLLRDHUP.rawValue
  static let writable = EPOLLOUT.rawValue
  static let readHangup = EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue
  static let hangupOrError = EPOLLHUP.rawValue | EPOLLERR.rawValue
}

/// An eventfd other threads write to wake a loop blocked in epoll_wait.
struct WakeSignal: Sendable {
  let fd: Int32

  init() throws(IOError) {
    fd = try syscall("eventfd") { eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC)) }
  }

  func signal() {
    var one: UInt64 = 1
    _ = try? syscall("write") { Glibc.write(fd, &one, 8) }
  }

  func reset() {
    var value: UInt64 = 0
    _ = try? syscall("read") { Glibc.read(fd, &value, 8) }
  }
}
