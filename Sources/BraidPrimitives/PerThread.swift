#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// One object per thread: made on the thread's first use, released when the thread exits.
/// For scratch that the threads of a parallel block each keep for themselves (the EVM's
/// spare containers, a memo of hashes), so that nothing is shared and nothing is locked.
public final class PerThread<Value: AnyObject>: @unchecked Sendable {
  // @unchecked Sendable is safe: `key` and `make` never change after init, and each
  // thread only ever sees the object stored under its own slot of the key.
  @usableFromInline let key: pthread_key_t
  @usableFromInline let make: @Sendable () -> Value

  /// Keep the instance for the life of the process (a `static let`): a key is never deleted.
  public init(_ make: @escaping @Sendable () -> Value) {
    var key = pthread_key_t()
    let status = pthread_key_create(&key) { pointer in
      guard let pointer else { return }
      Unmanaged<AnyObject>.fromOpaque(pointer).release()
    }
    precondition(status == 0, "pthread_key_create failed: \(status)")
    self.key = key
    self.make = make
  }

  /// This thread's object. Inlinable, so that a caller's hot path gets it without a
  /// generic call.
  @inlinable
  public var current: Value {
    if let pointer = pthread_getspecific(key) {
      return Unmanaged<Value>.fromOpaque(pointer).takeUnretainedValue()
    }
    let value = make()
    pthread_setspecific(key, Unmanaged.passRetained(value as AnyObject).toOpaque())
    return value
  }
}
