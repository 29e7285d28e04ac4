import Glibc

/// A blocking loopback client for tests: writes raw bytes and reads raw responses. Every
/// read has a receive timeout, so a server bug fails a test instead of hanging it.
final class SocketClient {
  let fd: Int32
  private var buffer: [UInt8] = []

  init(port: Int, receiveTimeoutSeconds: Int = 5) throws {
    fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw ClientError.failed("socket") }
    var tv = timeval(tv_sec: receiveTimeoutSeconds, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let rc = withUnsafePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard rc == 0 else {
      close(fd)
      throw ClientError.failed("connect")
    }
  }

  deinit { close(fd) }

  func send(_ s: String) throws { try send(Array(s.utf8)) }

  func send(_ bytes: [UInt8]) throws {
    var offset = 0
    while offset < bytes.count {
      let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
      guard n > 0 else { throw ClientError.failed("send") }
      offset += n
    }
  }

  func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

  /// Reads one response (head plus Content-Length body); nil at end of stream.
  func readResponse() throws -> Response? {
    while true {
      if let r = takeResponse() { return r }
      guard try fill() else { return nil }
    }
  }

  /// Reads until the server closes; true if it did (rather than the read timing out).
  func readsEndOfStream() -> Bool {
    while true {
      do {
        guard try fill() else { return true }
      } catch {
        return false
      }
    }
  }

  private func fill() throws -> Bool {
    var chunk = [UInt8](repeating: 0, count: 65536)
    let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
    if n == 0 { return false }
    if n < 0 {
      if errno == ECONNRESET { return false }
      throw ClientError.failed("recv errno \(errno)")
    }
    buffer += chunk[0..<n]
    return true
  }

  private func takeResponse() -> Response? {
    let separator: [UInt8] = [13, 10, 13, 10]
    guard buffer.count >= 4, let headEnd = (0...(buffer.count - 4)).first(where: { Array(buffer[$0..<$0 + 4]) == separator })
    else { return nil }
    let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
    let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
    let statusParts = lines[0].split(separator: " ", maxSplits: 2)
    var headers: [(String, String)] = []
    for line in lines.dropFirst() {
      guard let colon = line.firstIndex(of: ":") else { continue }
      headers.append((String(line[..<colon]), String(line[line.index(after: colon)...].drop(while: { $0 == " " }))))
    }
    let status = Int(statusParts[1]) ?? 0
    // Interim and bodiless responses carry no Content-Length.
    let length = headers.first { $0.0.lowercased() == "content-length" }.flatMap { Int($0.1) } ?? 0
    guard buffer.count >= headEnd + 4 + length else { return nil }
    let body = Array(buffer[(headEnd + 4)..<(headEnd + 4 + length)])
    buffer.removeFirst(headEnd + 4 + length)
    return Response(status: status, headers: headers, body: body)
  }

  struct Response {
    let status: Int
    let headers: [(String, String)]
    let body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
  }

  enum ClientError: Error { case failed(String) }
}
