/// One epoll event loop: its own listening socket (SO_REUSEPORT), its own connections, one
/// thread. It moves bytes between sockets and `HTTPConnectionStateMachine`s and calls the
/// handler; all HTTP decisions are the state machine's.
///
/// Timeouts: each connection carries one deadline, set when its phase changes (idle,
/// reading the head, reading the body, writing, lingering), when a request is answered, and
/// when a blocked write makes progress, but never because request bytes arrived: a client
/// trickling its request a byte at a time gains nothing. A sweep over the connection table a
/// few times per timeout period enforces them; at thousands of connections the sweep costs
/// microseconds, less than keeping a timer structure ordered on every request.
import CEpoll
#if canImport(Glibc)
  import Glibc
#endif
import Synchronization

/// Why `@unchecked Sendable` is safe: the connection table, buffers and timers are touched
/// only by the thread running `run()`. Other threads reach a loop only through `inbox`
/// (a Mutex and an eventfd) and `shared` (atomics), both thread-safe.
final class EventLoop<Handler: HTTPHandler>: @unchecked Sendable {
  let shared: ServerShared
  let handler: Handler
  let inbox: ResponseInbox
  private let epoll: Epoll
  private var listenFD: Int32
  private var connections: [Connection?] = []
  private var freeSlots: [Int] = []
  private var liveConnections = 0
  private let readBuffer: UnsafeMutableRawBufferPointer
  private var now: UInt64 = 0
  private var date: HTTPDate
  private var nextSweep: UInt64 = 0
  private let sweepInterval: UInt64
  private var acceptPausedUntil: UInt64?
  private var draining = false
  private var drainDeadline: UInt64 = 0
  private var nextSequence: UInt64 = 0

  private static var listenToken: UInt64 { .max }
  private static var wakeToken: UInt64 { .max - 1 }
  private static var readBufferSize: Int { 64 * 1024 }

  init(shared: ServerShared, handler: Handler, listenFD: Int32) throws(IOError) {
    self.shared = shared
    self.handler = handler
    self.listenFD = listenFD
    epoll = try Epoll()
    let wake: WakeSignal
    do {
      wake = try WakeSignal()
    } catch {
      closeDescriptor(epoll.fd)
      throw error
    }
    inbox = ResponseInbox(wake: wake)
    readBuffer = .allocate(byteCount: Self.readBufferSize, alignment: 16)
    date = HTTPDate(secondsSinceEpoch: wallClockSeconds())
    let c = shared.configuration
    let shortest = [c.idleTimeout, c.headerTimeout, c.bodyTimeout, c.writeTimeout, c.lingerTimeout]
      .map(\.nanoseconds).min()!
    sweepInterval = min(max(shortest / 4, 5_000_000), 250_000_000)
    do {
      try epoll.add(listenFD, events: EPOLLIN.rawValue, token: Self.listenToken)
      try epoll.add(wake.fd, events: EPOLLIN.rawValue, token: Self.wakeToken)
    } catch {
      // The caller closes the listening socket it passed in.
      closeDescriptor(wake.fd)
      closeDescriptor(epoll.fd)
      throw error
    }
  }

  /// Frees what `init` acquired when the server fails to start.
  func releaseUnstarted() {
    closeDescriptor(listenFD)
    closeDescriptor(inbox.wake.fd)
    closeDescriptor(epoll.fd)
  }

  deinit { readBuffer.deallocate() }

  // MARK: The loop

  func run() {
    let events = UnsafeMutableBufferPointer<epoll_event>.allocate(capacity: 256)
    defer { events.deallocate() }
    now = monotonicNanoseconds()
    nextSweep = now + sweepInterval
    while true {
      let waitNanos = nextSweep > now ? nextSweep - now : 0
      let count = epoll.wait(events, timeoutMilliseconds: Int32((waitNanos + 999_999) / 1_000_000))
      now = monotonicNanoseconds()
      for i in 0..<count {
        dispatch(token: events[i].data.u64, events: events[i].events)
      }
      deliverDeferredResponses()
      if now >= nextSweep {
        sweep()
        nextSweep = now + sweepInterval
      }
      if !draining && shared.shuttingDown.load(ordering: .acquiring) { beginDrain() }
      if draining && (liveConnections == 0 || now >= drainDeadline) { break }
    }
    for case let connection? in connections { close(connection) }
    closeDescriptor(inbox.wake.fd)
    closeDescriptor(epoll.fd)
  }

  private func dispatch(token: UInt64, events: UInt32) {
    switch token {
    case Self.listenToken:
      acceptConnections()
    case Self.wakeToken:
      inbox.wake.reset()
    default:
      let slot = Int(truncatingIfNeeded: token & 0xFFFF_FFFF)
      guard slot < connections.count, let connection = connections[slot],
        connection.generation == UInt32(truncatingIfNeeded: token >> 32)
      else { return }
      // A hang-up or error is reported even without EPOLLIN in the interest set; a
      // connection that is not reading would otherwise be woken for it forever.
      if events & EventMask.hangupOrError != 0 && !connection.lingering && !connection.machine.wantsToRead {
        close(connection)
        return
      }
      if events & EventMask.readHangup != 0 { readable(connection) }
      if events & EventMask.writable != 0, connections[slot] === connection { writable(connection) }
    }
  }

  // MARK: Accepting

  private func acceptConnections() {
    guard !draining else { return }
    let limit = shared.configuration.maxConnections
    for _ in 0..<64 {
      let fd: Int32
      do {
        guard let accepted = try Socket.accept(listenFD) else { return }
        fd = accepted
      } catch where error.kind == .connectionAborted {
        continue
      } catch where error.kind == .resourceExhausted {
        // Out of descriptors: the pending connection stays queued and would wake us in a
        // busy loop, so stop listening for a moment.
        epoll.remove(listenFD)
        acceptPausedUntil = now + 100_000_000
        shared.configuration.onError?("accept paused: \(error)")
        return
      } catch {
        shared.configuration.onError?("accept: \(error)")
        return
      }
      if shared.openConnections.wrappingAdd(1, ordering: .relaxed).newValue > limit {
        shared.openConnections.wrappingSubtract(1, ordering: .relaxed)
        closeDescriptor(fd)
        continue
      }
      // Responses are written whole; Nagle would only delay a pipelined second one.
      try? Socket.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
      register(fd)
    }
  }

  private func register(_ fd: Int32) {
    let slot: Int
    if let free = freeSlots.popLast() {
      slot = free
    } else {
      slot = connections.count
      connections.append(nil)
    }
    let connection = Connection(
      fd: fd, slot: slot, generation: nextGeneration(), machine: HTTPConnectionStateMachine(limits: shared.configuration.limits))
    connection.deadline = now + shared.configuration.idleTimeout.nanoseconds
    do {
      try epoll.add(fd, events: EventMask.readable, token: connection.token)
    } catch {
      freeSlots.append(slot)
      closeDescriptor(fd)
      shared.openConnections.wrappingSubtract(1, ordering: .relaxed)
      return
    }
    connection.interest = EventMask.readable
    connections[slot] = connection
    liveConnections += 1
  }

  private var generationCounter: UInt32 = 0
  private func nextGeneration() -> UInt32 {
    generationCounter &+= 1
    return generationCounter
  }

  // MARK: Reading and writing

  private func readable(_ connection: Connection) {
    if connection.lingering {
      discardInput(connection)
      return
    }
    guard connection.machine.wantsToRead else { return }
    do {
      guard let n = try Socket.read(connection.fd, into: readBuffer) else { return }
      if n == 0 {
        connection.machine.peerDidClose()
      } else {
        connection.machine.received(UnsafeRawBufferPointer(rebasing: readBuffer[0..<n]))
      }
    } catch {
      close(connection)
      return
    }
    drive(connection)
  }

  private func writable(_ connection: Connection) {
    let before = connection.machine.pendingOutputCount
    guard flush(connection) else { return }
    // The write timeout is for a peer that takes nothing; one that reads slowly progresses.
    if connection.machine.pendingOutputCount < before {
      connection.deadline = now + shared.configuration.writeTimeout.nanoseconds
    }
    if connection.closeAfterFlush {
      if connection.machine.pendingOutputCount == 0 { finishClose(connection) }
      return
    }
    drive(connection)
  }

  /// Runs the state machine until it waits, answering requests as they come out.
  private func drive(_ connection: Connection) {
    var progressed = false
    while true {
      var action = connection.machine.next()
      while case .handle(let request) = action {
        progressed = true
        nextSequence &+= 1
        connection.sequence = nextSequence
        let responder = HTTPResponder(inbox: inbox, slot: connection.slot, sequence: nextSequence)
        if case .response(let response) = handler.handle(request, responder: responder) {
          connection.machine.respond(response, date: currentDate())
        }
        action = connection.machine.next()
      }
      guard flush(connection) else { return }
      switch action {
      case .drainOutput where connection.machine.pendingOutputCount == 0:
        continue
      case .close:
        beginClose(connection)
        return
      default:
        updateInterest(connection)
        updateDeadline(connection, restart: progressed)
        return
      }
    }
  }

  /// Writes pending output until done or the socket is full. False when the connection
  /// was closed because the peer is gone.
  private func flush(_ connection: Connection) -> Bool {
    while connection.machine.pendingOutputCount > 0 {
      let written: Int
      do {
        let fd = connection.fd
        written = try connection.machine.withPendingOutput { bytes in
          Result { () throws(IOError) in try Socket.write(fd, bytes) }
        }.get()
      } catch {
        close(connection)
        return false
      }
      if written == 0 { break }
      connection.machine.didWrite(written)
    }
    return true
  }

  private func updateInterest(_ connection: Connection) {
    var wanted: UInt32 = 0
    if connection.lingering || connection.machine.wantsToRead { wanted |= EventMask.readable }
    if connection.machine.pendingOutputCount > 0 { wanted |= EventMask.writable }
    guard wanted != connection.interest else { return }
    do {
      try epoll.modify(connection.fd, events: wanted, token: connection.token)
      connection.interest = wanted
    } catch {
      close(connection)
    }
  }

  /// Sets the deadline when the phase changes, or when `restart` says a request was
  /// answered (a busy keep-alive connection stays "idle" between its requests, and must
  /// not be timed out as if it had been idle all along). Bytes arriving within a phase do
  /// not move the deadline: that is what cuts off a client trickling its request.
  private func updateDeadline(_ connection: Connection, restart: Bool = false) {
    let phase = connection.machine.phase
    guard phase != connection.phase || restart else { return }
    connection.phase = phase
    let c = shared.configuration
    switch phase {
    case .idle: connection.deadline = now + c.idleTimeout.nanoseconds
    case .readingHead: connection.deadline = now + c.headerTimeout.nanoseconds
    case .readingBody: connection.deadline = now + c.bodyTimeout.nanoseconds
    case .writing: connection.deadline = now + c.writeTimeout.nanoseconds
    // The handler owns a request until it answers; the connection waits as long as it does.
    case .awaitingResponse: connection.deadline = .max
    case .closing: break
    }
  }

  // MARK: Closing

  /// The state machine is done with the connection: write what remains, then linger.
  private func beginClose(_ connection: Connection) {
    connection.closeAfterFlush = true
    if connection.machine.pendingOutputCount > 0 {
      connection.deadline = now + shared.configuration.writeTimeout.nanoseconds
      updateInterest(connection)
    } else {
      finishClose(connection)
    }
  }

  /// Half-closes and drains input for a moment, so the peer reads the final response
  /// rather than a reset caused by unread bytes (RFC 9112 §9.6). A peer that already
  /// closed needs none of this.
  private func finishClose(_ connection: Connection) {
    if connection.machine.hasPeerClosed || draining {
      close(connection)
      return
    }
    Socket.shutdownWrite(connection.fd)
    connection.lingering = true
    connection.deadline = now + shared.configuration.lingerTimeout.nanoseconds
    updateInterest(connection)
  }

  /// Reads and drops what a lingering peer still sends; closes at its end of stream.
  private func discardInput(_ connection: Connection) {
    for _ in 0..<4 {
      let n: Int?
      do {
        n = try Socket.read(connection.fd, into: readBuffer)
      } catch {
        n = 0
      }
      guard let n else { return }
      if n == 0 {
        close(connection)
        return
      }
    }
  }

  private func close(_ connection: Connection) {
    guard connections[connection.slot] === connection else { return }
    // close(2) also removes the descriptor from the epoll set.
    closeDescriptor(connection.fd)
    connections[connection.slot] = nil
    freeSlots.append(connection.slot)
    liveConnections -= 1
    shared.openConnections.wrappingSubtract(1, ordering: .relaxed)
  }

  // MARK: Timers, deferred responses, shutdown

  private func sweep() {
    if let paused = acceptPausedUntil, now >= paused, !draining {
      acceptPausedUntil = nil
      try? epoll.add(listenFD, events: EPOLLIN.rawValue, token: Self.listenToken)
    }
    let seconds = wallClockSeconds()
    if seconds != date.secondsSinceEpoch { date = HTTPDate(secondsSinceEpoch: seconds) }
    for case let connection? in connections where connection.deadline <= now {
      if connection.lingering || connection.closeAfterFlush {
        close(connection)
      } else {
        connection.machine.timedOut()
        drive(connection)
      }
    }
  }

  private func currentDate() -> HTTPDate { date }

  private func deliverDeferredResponses() {
    let items = inbox.take()
    // A response posted after shutdown() began must go out with `Connection: close`; the
    // inbox lock orders the flag's store before this load.
    if !draining && shared.shuttingDown.load(ordering: .acquiring) { beginDrain() }
    for item in items {
      guard item.slot < connections.count, let connection = connections[item.slot],
        connection.sequence == item.sequence
      else { continue }
      connection.sequence = 0
      connection.machine.respond(item.response, date: currentDate())
      drive(connection)
    }
  }

  private func beginDrain() {
    draining = true
    drainDeadline = now + shared.configuration.shutdownGracePeriod.nanoseconds
    epoll.remove(listenFD)
    closeDescriptor(listenFD)
    for case let connection? in connections {
      if connection.lingering || connection.closeAfterFlush {
        if connection.machine.pendingOutputCount == 0 { close(connection) }
        continue
      }
      connection.machine.shutdown()
      drive(connection)
    }
  }
}

/// A connection's socket and state, owned by one loop.
final class Connection {
  let fd: Int32
  let slot: Int
  let generation: UInt32
  var machine: HTTPConnectionStateMachine
  var deadline: UInt64 = .max
  var phase = HTTPConnectionStateMachine.Phase.idle
  var interest: UInt32 = 0
  /// The request with the handler, matched against deferred responses.
  var sequence: UInt64 = 0
  var closeAfterFlush = false
  var lingering = false

  init(fd: Int32, slot: Int, generation: UInt32, machine: HTTPConnectionStateMachine) {
    self.fd = fd
    self.slot = slot
    self.generation = generation
    self.machine = machine
  }

  /// epoll's user data: the slot, and a generation so an event queued for a closed
  /// connection is not delivered to the one that reused its slot.
  var token: UInt64 { UInt64(generation) << 32 | UInt64(slot) }
}
