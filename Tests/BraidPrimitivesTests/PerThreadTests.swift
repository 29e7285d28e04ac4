import BraidPrimitives
import Synchronization
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `PerThread` gives each thread its own object, the same one every time on that thread,
/// and releases it when the thread exits (Block-STM's workers live one block: their spare
/// containers and memos must not pile up).
struct PerThreadTests {
  final class Box {
    let id: Int
    static let made = Atomic<Int>(0)
    static let freed = Atomic<Int>(0)
    init() { id = Box.made.add(1, ordering: .relaxed).newValue }
    deinit { Box.freed.add(1, ordering: .relaxed) }
  }

  static let boxes = PerThread { Box() }

  /// Runs `body` on a new thread and returns once that thread has exited.
  static func onNewThread(_ body: @escaping @Sendable () -> Void) {
    final class Context {
      let body: @Sendable () -> Void
      init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let context = Unmanaged.passRetained(Context(body)).toOpaque()
    var thread = pthread_t()
    let status = pthread_create(&thread, nil, { raw in
      Unmanaged<Context>.fromOpaque(raw!).takeRetainedValue().body()
      return nil
    }, context)
    precondition(status == 0)
    pthread_join(thread, nil)
  }

  @Test func oneObjectPerThreadReleasedAtExit() {
    let ids = Mutex<[Int]>([])
    let freedBefore = Box.freed.load(ordering: .relaxed)
    for _ in 0..<3 {
      Self.onNewThread {
        let first = Self.boxes.current
        let again = Self.boxes.current
        ids.withLock { $0.append(first.id) }
        precondition(first === again, "a thread got two objects")
      }
    }
    let seen = ids.withLock { $0 }
    #expect(Set(seen).count == 3, "threads shared an object: \(seen)")
    #expect(Box.freed.load(ordering: .relaxed) - freedBefore == 3, "an exited thread's object was kept")
  }
}
