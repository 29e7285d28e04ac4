#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif
import BraidPrimitives

/// Plain POSIX threads for the workers. Not Dispatch (its pool may already be busy with
/// other work, and a worker that spins waiting for a task must not starve one that has a
/// task) and not Foundation's `Thread` (this module depends on nothing but BraidPrimitives).
///
/// Every worker runs on a thread with a large stack, never the caller's: a VM may recurse
/// deeply (the EVM once per CALL frame, up to depth 1024), more than the 8 MiB a main thread
/// usually has. The stack is only reserved address space until touched.
@usableFromInline
enum WorkerThreads {
  /// Runs `body(worker)` for every worker in 0..<count, each on its own thread of
  /// `ThreadPool`, and returns when all have returned.
  @usableFromInline
  static func run(count: Int, stackSize: Int, _ body: @escaping @Sendable (Int) -> Void) {
    precondition(count >= 1, "WorkerThreads: need at least one worker, got \(count)")
    ThreadPool.shared.run(count: count, stackSize: stackSize, body)
  }

  /// What a new thread runs, passed through pthread_create's single pointer argument.
  @usableFromInline
  final class Start: Sendable {
    let worker: Int
    let body: @Sendable (Int) -> Void
    init(worker: Int, body: @escaping @Sendable (Int) -> Void) {
      self.worker = worker
      self.body = body
    }
  }
}

extension WorkerThreads {
  /// Runs `body(value)` on a new detached thread: fire and forget, for work nobody waits on.
  @usableFromInline
  static func detached<T: Sendable>(_ value: T, _ body: @escaping @Sendable (T) -> Void) {
    var attributes = pthread_attr_t()
    guard pthread_attr_init(&attributes) == 0 else { return body(value) }
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    let context = Unmanaged.passRetained(Start(worker: 0, body: { _ in body(value) })).toOpaque()
    #if canImport(Darwin)
      var thread: pthread_t? = nil
    #else
      var thread = pthread_t()
    #endif
    if pthread_create(&thread, &attributes, startWorker, context) != 0 {
      // No thread to be had: do the work here rather than not at all.
      Unmanaged<Start>.fromOpaque(context).takeRetainedValue().body(0)
    }
  }
}

#if canImport(Darwin)
  private func startWorker(_ context: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
    let start = Unmanaged<WorkerThreads.Start>.fromOpaque(context).takeRetainedValue()
    start.body(start.worker)
    return nil
  }
#else
  private func startWorker(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let start = Unmanaged<WorkerThreads.Start>.fromOpaque(context!).takeRetainedValue()
    start.body(start.worker)
    return nil
  }
#endif

/// How a worker waits, for a task or for a transaction below it to finish executing: spin
/// first (the wait is usually a few microseconds, shorter than a trip through the kernel),
/// then yield the core, then nap. On an oversubscribed machine (more workers than cores) the
/// spin is kept short, since the thread being waited for may need this very core.
@usableFromInline
struct Backoff {
  @usableFromInline let spinLimit: Int
  @usableFromInline var attempts = 0

  @inlinable
  init(spinLimit: Int) { self.spinLimit = spinLimit }

  @inlinable
  mutating func reset() { attempts = 0 }

  @inlinable
  mutating func pause() {
    attempts &+= 1
    if attempts > spinLimit { yieldOrSleep(attempts - spinLimit) }
  }
}

@usableFromInline
func yieldOrSleep(_ attemptsPastSpinning: Int) {
  if attemptsPastSpinning < 256 {
    sched_yield()
  } else {
    usleep(50)
  }
}

extension WorkerThreads {
  /// Gives the calling thread the lowest scheduling priority (nice 19; on Linux a nice value
  /// belongs to one thread, not the process). For background teardown: it should use a core
  /// nobody else wants, not take one from the commit of the block it belongs to or from the
  /// next block's workers.
  @usableFromInline
  static func lowerCurrentThreadPriority() {
    #if os(Linux)
      _ = nice(19)
    #endif
  }

  /// Cores this process may run on now; at least 1.
  @usableFromInline
  static var onlineCores: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}
