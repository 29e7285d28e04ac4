/// The filter methods over `FilterRegistry`, answered as geth answers them: ids are opaque
/// strings, an unknown or expired id is `filter not found`, eth_getFilterChanges gives a
/// log filter's new matching logs, a block filter's new block hashes and a
/// pending-transaction filter's newly accepted hashes.
import BraidEVM
import BraidPrimitives

extension EthAPI {
  static var filterMethods: [String] {
    [
      "eth_newFilter", "eth_newBlockFilter", "eth_newPendingTransactionFilter", "eth_getFilterChanges",
      "eth_getFilterLogs", "eth_uninstallFilter",
    ]
  }

  /// Answers the filter methods; nil for any other method.
  func filterCall(_ method: String, _ p: Params) throws(RPCError) -> CallOutcome? {
    switch method {
    case "eth_newFilter":
      try p.expect(required: 1, max: 1)
      return .value(.string(try install(.logs(logCriteria(p[0])))))
    case "eth_newBlockFilter":
      try p.expect(required: 0, max: 0)
      return .value(.string(try install(.blocks)))
    case "eth_newPendingTransactionFilter":
      // geth's optional `fullTx` flag is not offered: hashes only.
      try p.expect(required: 0, max: 0)
      return .value(.string(try install(.pendingTransactions)))
    case "eth_getFilterChanges":
      try p.expect(required: 1, max: 1)
      return .value(try filterChanges(filterID(p)))
    case "eth_getFilterLogs":
      try p.expect(required: 1, max: 1)
      guard case .logs(let criteria)? = filters.kind(of: try filterID(p)) else { throw Self.filterNotFound }
      return .value(.array(try logs(criteria).map(RPCObjects.log)))
    case "eth_uninstallFilter":
      try p.expect(required: 1, max: 1)
      return .value(.bool(filters.uninstall(try filterID(p))))
    default:
      return nil
    }
  }

  static var filterNotFound: RPCError { .server("filter not found") }

  /// The filters see the submissions answered here: every transaction reaches a Braid node
  /// through its RPC.
  func noteAccepted<T>(_ result: Result<T, RPCError>, hash: (T) -> Hash32) {
    if case .success(let value) = result { filters.accepted(hash(value)) }
  }

  private func install(_ kind: FilterRegistry.Kind) throws(RPCError) -> String {
    guard let id = filters.install(kind, head: backend.headNumber()) else {
      throw .server("too many filters (at most \(filters.maxFilters)); uninstall some or let them expire")
    }
    return id
  }

  private func filterID(_ p: Params) throws(RPCError) -> String {
    guard case .string(let id)? = p[0] else {
      let kind = HexParam.kind(p.values[0])
      throw .invalidArgument(0, "json: cannot unmarshal \(kind) into Go value of type string")
    }
    return id
  }

  private func filterChanges(_ id: String) throws(RPCError) -> JSONValue {
    let head = backend.headNumber()
    guard let poll = filters.poll(id, head: head) else { throw Self.filterNotFound }
    switch poll.kind {
    case .pendingTransactions:
      return .array(poll.pending.map { .hash($0) })
    case .blocks:
      guard poll.firstNewBlock <= head else { return [] }
      let blocks = (poll.firstNewBlock...head).compactMap { backend.block(number: $0) }
      return .array(blocks.map { .hash($0.hash) })
    case .logs(let criteria):
      // A filter on one block by hash has nothing new to show after it is made.
      if criteria.blockHash != nil { return [] }
      var first = poll.firstNewBlock
      var last = head
      // `latest` and the other moving tags place no bound beyond what is new.
      if case .number(let n)? = criteria.from { first = max(first, n) }
      if case .number(let n)? = criteria.to { last = min(last, n) }
      if criteria.to == .earliest { last = 0 }
      guard first <= last else { return [] }
      let filter = LogFilter(
        fromBlock: first, toBlock: last, addresses: criteria.addresses, topics: criteria.topics,
        maxResults: configuration.maxLogResults)
      do {
        return .array(try backend.logs(matching: filter).map(RPCObjects.log))
      } catch {
        // Too many logs to answer with: the client can ask again (or narrow its filter)
        // without losing them.
        filters.rewind(id, toBlock: poll.firstNewBlock &- 1)
        throw error
      }
    }
  }
}
