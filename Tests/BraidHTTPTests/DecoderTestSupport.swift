import BraidHTTP

/// A comparable summary of what the decoder produced, so that the result of one feeding
/// pattern can be checked against another's.
enum Decoded: Equatable, CustomStringConvertible {
  case request(method: String, target: String, version: String, headers: [String], body: [UInt8], keepAlive: Bool)
  case error(HTTPParseError)

  init(_ r: HTTPRequest) {
    self = .request(
      method: r.method.rawValue, target: r.target, version: r.version.text,
      headers: r.headers.map { "\($0.name): \($0.value)" }, body: r.body, keepAlive: r.keepAlive)
  }

  var description: String {
    switch self {
    case .request(let m, let t, let v, let h, let b, let k):
      return "\(m) \(t) \(v) \(h) body=\(String(decoding: b, as: UTF8.self)) keepAlive=\(k)"
    case .error(let e): return "error(\(e))"
    }
  }
}

/// Feeds `chunks` one after another, draining the decoder after each; stops at an error.
/// `continues` counts the 100-continue events, which legitimately depend on the split.
func decode(_ chunks: [ArraySlice<UInt8>], limits: HTTPLimits = HTTPLimits()) -> (results: [Decoded], continues: Int) {
  var decoder = HTTPRequestDecoder(limits: limits)
  var results: [Decoded] = []
  var continues = 0
  for chunk in chunks {
    Array(chunk).withUnsafeBytes { decoder.append($0) }
    loop: while true {
      switch decoder.next() {
      case .request(let r): results.append(Decoded(r))
      case .expectContinue: continues += 1
      case .needMoreData: break loop
      case .error(let e):
        results.append(.error(e))
        return (results, continues)
      }
    }
  }
  return (results, continues)
}

/// Every way of delivering `input`: whole, split in two at each byte boundary, and one byte
/// at a time.
func everySplit(_ input: [UInt8]) -> [(label: String, chunks: [ArraySlice<UInt8>])] {
  var out: [(String, [ArraySlice<UInt8>])] = [("whole", [input[...]])]
  for i in 0...input.count {
    out.append(("split at \(i)", [input[..<i], input[i...]]))
  }
  out.append(("byte by byte", input.indices.map { input[$0...$0] }))
  return out
}

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
