#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Plain POSIX threads for the workers. Not Dispatch (its pool may already be busy with
/// other work, and a worker that spins waiting for a task must not starve one that has a
/// task) and not Foundation's `Thread` (this module depends on nothing).
///
/// Every worker gets a fresh thread with a large stack, the caller's included: a VM may
/// recurse deeply (the EVM once per CALL frame, up to depth 1024), more than the 8 MiB a
/// main thread usually has. The stack is only reserved address space until touched.
@usableFromInline
enum WorkerThreads {
  @usableFromInline static let defaultStackSize = 256 << 20

  /// Runs `body(worker)` for every worker in 0..<count, each on its own thread, and returns
  /// when all have returned.
  @usableFromInline
  static func run(count: Int, stackSize: Int, _ body: @escaping @Sendable (Int) -> Void) {
    precondition(count >= 1, "WorkerThreads: need at least one worker, got \(count)")
    var attributes = pthread_attr_t()
    guard pthread_attr_init(&attributes) == 0 else { invariantViolation("pthread_attr_init failed") }
    defer { pthread_attr_destroy(&attributes) }
    if pthread_attr_setstacksize(&attributes, stackSize) != 0 {
      invariantViolation("pthread_attr_setstacksize(\(stackSize)) failed")
    }
    #if canImport(Darwin)
      var threads: [pthread_t?] = []
    #else
      var threads: [pthread_t] = []
    #endif
    threads.reserveCapacity(count)
    for worker in 0..<count {
      let context = Unmanaged.passRetained(Start(worker: worker, body: body)).toOpaque()
      #if canImport(Darwin)
        var thread: pthread_t? = nil
      #else
        var thread = pthread_t()
      #endif
      let status = pthread_create(&thread, &attributes, startWorker, context)
      if status != 0 {
        Unmanaged<Start>.fromOpaque(context).release()
        invariantViolation("pthread_create failed with \(status) starting worker \(worker) of \(count)")
      }
      threads.append(thread)
    }
    for thread in threads {
      #if canImport(Darwin)
        let joined = pthread_join(thread!, nil)
      #else
        let joined = pthread_join(thread, nil)
      #endif
      if joined != 0 { invariantViolation("pthread_join failed with \(joined)") }
    }
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

/// Called by a worker that found no task: spin briefly (a task usually appears within
/// microseconds), then yield the core, then nap, so that idle workers on an oversubscribed
/// machine (more workers than cores) do not steal time from the ones with work.
@usableFromInline
func idleBackoff(_ attempts: inout Int) {
  attempts &+= 1
  if attempts < 32 { return }
  if attempts < 256 {
    sched_yield()
    return
  }
  usleep(50)
}
