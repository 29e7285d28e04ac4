#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif
import Synchronization

/// Threads kept between blocks, for Block-STM's workers and the helpers of the state root
/// and the receipts.
///
/// A thread per worker per block cost a `pthread_create`, the mapping of its 256 MiB stack,
/// and at exit the unmapping, which interrupts every core to flush its TLB: about 0.35 ms a
/// block on this 2-core machine (temporary timers, 255-transaction blocks), a tenth of such a
/// block's time on one worker. A pooled thread that finishes its share parks: it spins
/// briefly (the root's helper follows the block's workers within microseconds, and the
/// sequencer's next block may already be waiting), yielding the core at every turn so that
/// it never keeps the caller from its commit, then sleeps on its own `Signal`, and
/// after `idleSeconds` without work it leaves the pool and exits, so that a burst of
/// concurrent blocks (tests) does not keep its threads forever. Block-STM's workers and the
/// trie's helpers ask for the same stack size, so they share the parked threads.
///
/// Runs at the same time take disjoint sets of threads: a thread is removed from the idle
/// list before it is given a share, and put back only when the share is done.
public final class ThreadPool: Sendable {
  public static let shared = ThreadPool()

  /// The stack of every thread the pool is asked for by default: room for a VM that recurses
  /// deeply (the EVM, once per call frame, up to depth 1024). Reserved address space only,
  /// until used.
  public static let defaultStackSize = 256 << 20

  public init() {}

  /// Parked threads by stack size (a pool thread's stack size is fixed at its creation).
  let idle = Mutex<[Int: [PooledWorker]]>([:])

  /// How long a parked thread spins before it sleeps, and how long it sleeps before it exits.
  static let spinNanoseconds = 50_000
  static let idleSeconds = 10

  /// Runs `body(k)` for k in 0..<count, each on a pool thread with a stack of `stackSize`
  /// bytes, and `here` on the calling thread meanwhile; returns when all have returned.
  /// Every pool thread has dropped its reference to `body` by then: whatever `body`
  /// captures is released on return as it was with a thread of its own.
  public func run(
    count: Int, stackSize: Int = ThreadPool.defaultStackSize, _ body: @escaping @Sendable (Int) -> Void,
    whileWaiting here: () -> Void = {}
  ) {
    precondition(count >= 0, "ThreadPool: a negative count, \(count)")
    if count == 0 { return here() }
    var workers = idle.withLock { parked -> [PooledWorker] in
      let available = parked[stackSize, default: []]
      let taken = Array(available.suffix(count))
      parked[stackSize] = Array(available.dropLast(taken.count))
      return taken
    }
    while workers.count < count { workers.append(PooledWorker(pool: self, stackSize: stackSize)) }
    let group = JobGroup(count: count)
    for (k, worker) in workers.enumerated() { worker.start(Job(index: k, body: body, group: group)) }
    here()
    group.wait()
  }

  func park(_ worker: PooledWorker) {
    idle.withLock { $0[worker.stackSize, default: []].append(worker) }
  }

  /// Takes `worker` off the idle list; false when a block has taken it meanwhile (a job is on
  /// its way, and the thread must stay).
  func retire(_ worker: PooledWorker) -> Bool {
    idle.withLock { parked in
      guard let i = parked[worker.stackSize]?.firstIndex(where: { $0 === worker }) else { return false }
      parked[worker.stackSize]!.remove(at: i)
      return true
    }
  }
}

/// One share of a block's work, handed to a pool thread.
struct Job: Sendable {
  let index: Int
  let body: @Sendable (Int) -> Void
  let group: JobGroup
}

/// The shares of one `ThreadPool.run` still running.
final class JobGroup: Sendable {
  let remaining: Atomic<Int>
  let finished = Signal()

  init(count: Int) { remaining = Atomic(count) }

  func leave() {
    if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 { finished.post() }
  }

  /// Until every share has left. Spins first: a block's workers usually finish together.
  func wait() {
    let deadline = monotonicNanoseconds() + ThreadPool.spinNanoseconds
    while remaining.load(ordering: .acquiring) > 0 && monotonicNanoseconds() < deadline { sched_yield() }
    // The last share posts whether or not this side is still spinning, so the post is
    // always taken here, and the signal is left clear.
    finished.wait(timeoutSeconds: nil)
  }
}

/// A pool thread: waits for a job, runs it, parks, until it has been idle too long.
///
/// `@unchecked Sendable`: `job` is written by the block that took this worker off the idle
/// list, before `ready` is set (release), and read and cleared by the worker's thread after
/// it sees `ready` (acquire); the next block can only take the worker after it has parked
/// again, through the pool's lock. `pool` and `stackSize` never change.
final class PooledWorker: @unchecked Sendable {
  let pool: ThreadPool
  let stackSize: Int
  let ready = Atomic<Bool>(false)
  let signal = Signal()
  var job: Job? = nil

  init(pool: ThreadPool, stackSize: Int) {
    self.pool = pool
    self.stackSize = stackSize
    var attributes = pthread_attr_t()
    guard pthread_attr_init(&attributes) == 0 else { fatalError("pthread_attr_init failed") }
    defer { pthread_attr_destroy(&attributes) }
    if pthread_attr_setstacksize(&attributes, stackSize) != 0 {
      fatalError("pthread_attr_setstacksize(\(stackSize)) failed")
    }
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    let context = Unmanaged.passRetained(self).toOpaque()
    #if canImport(Darwin)
      var thread: pthread_t? = nil
    #else
      var thread = pthread_t()
    #endif
    let status = pthread_create(&thread, &attributes, startPooledWorker, context)
    if status != 0 {
      Unmanaged<PooledWorker>.fromOpaque(context).release()
      fatalError("pthread_create failed with \(status) starting a worker thread")
    }
  }

  func start(_ job: Job) {
    self.job = job
    ready.store(true, ordering: .releasing)
    signal.post()
  }

  /// The thread's loop.
  func main() {
    while takeJob() {
      var job = self.job
      self.job = nil
      let group = job!.group
      job!.body(job!.index)
      // What the body captured (Block-STM's executor, and through it the VM and the
      // pre-state) is released before the caller goes on: alive, it would make the
      // caller's commit into that state copy it.
      job = nil
      // Parked before the caller is let go, so that its next block finds this thread.
      pool.park(self)
      group.leave()
    }
  }

  /// Waits until a job has been given; false when the thread should exit instead.
  private func takeJob() -> Bool {
    let deadline = monotonicNanoseconds() + ThreadPool.spinNanoseconds
    while true {
      if ready.load(ordering: .acquiring) {
        ready.store(false, ordering: .relaxed)
        return true
      }
      if monotonicNanoseconds() < deadline {
        sched_yield()
        continue
      }
      // A post seen by spinning is still pending here: then this wait returns at once and
      // the loop looks at `ready` again.
      if !signal.wait(timeoutSeconds: ThreadPool.idleSeconds) && pool.retire(self) { return false }
    }
  }
}

#if canImport(Darwin)
  private func startPooledWorker(_ context: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
    Unmanaged<PooledWorker>.fromOpaque(context).takeRetainedValue().main()
    return nil
  }
#else
  private func startPooledWorker(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    Unmanaged<PooledWorker>.fromOpaque(context!).takeRetainedValue().main()
    return nil
  }
#endif

/// A flag one thread sets and another waits for, sleeping in the kernel (a pthread mutex and
/// condition variable; `Synchronization` has no way to sleep).
///
/// `@unchecked Sendable`: `posted` is only touched with `mutex` held, and the pthread objects
/// are made for use from many threads; they live at fixed addresses until `deinit`.
final class Signal: @unchecked Sendable {
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
  private var posted = false

  init() {
    pthread_mutex_init(mutex, nil)
    pthread_cond_init(condition, nil)
  }

  deinit {
    pthread_cond_destroy(condition)
    pthread_mutex_destroy(mutex)
    condition.deallocate()
    mutex.deallocate()
  }

  func post() {
    pthread_mutex_lock(mutex)
    posted = true
    pthread_cond_signal(condition)
    pthread_mutex_unlock(mutex)
  }

  /// Waits for a post and clears it; false if `timeoutSeconds` passed without one.
  @discardableResult
  func wait(timeoutSeconds: Int?) -> Bool {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    var deadline = timespec()
    if let timeoutSeconds {
      clock_gettime(CLOCK_REALTIME, &deadline)
      deadline.tv_sec += timeoutSeconds
    }
    while !posted {
      if timeoutSeconds == nil {
        pthread_cond_wait(condition, mutex)
      } else if pthread_cond_timedwait(condition, mutex, &deadline) == ETIMEDOUT && !posted {
        return false
      }
    }
    posted = false
    return true
  }
}

@inline(__always)
func monotonicNanoseconds() -> Int {
  var now = timespec()
  clock_gettime(CLOCK_MONOTONIC, &now)
  return now.tv_sec * 1_000_000_000 + now.tv_nsec
}
