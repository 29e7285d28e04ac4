/// An exclusive advisory lock on a data directory, held for as long as its `Store` lives.
///
/// LMDB lets several processes open one environment and serialises their writers, but two
/// Braid nodes on one directory would each believe they own the head and the journal. The
/// second one must refuse to start instead, with a reason an operator can act on.
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

final class DirectoryLock: Sendable {
  private let fd: Int32

  /// Takes the lock on `directory/braid.lock`, or throws at once if another open store
  /// (in this or another process) holds it.
  init(directory: String) throws(LMDBError) {
    let path = directory + "/braid.lock"
    let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw .cannotCreateDirectory(path: path, reason: String(cString: strerror(errno)))
    }
    guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
      close(fd)
      throw .directoryInUse(path: directory)
    }
    self.fd = fd
  }

  deinit { close(fd) }
}
