/// Hands a JSON body to the real JSON-RPC service without sockets, waiting for a deferred
/// answer (a submission answers once it is journaled, a sync send once it has a receipt).
import BraidHTTP
import BraidNode
import BraidRPC
import Foundation
import Synchronization

func post(_ body: String, to service: RPCService<NodeChain>) -> HTTPResponse? {
  let request = HTTPRequest(
    method: .post, target: "/", headers: HTTPHeaders([("Host", "test"), ("Content-Type", "application/json")]),
    body: Array(body.utf8))
  let slot = Mutex<HTTPResponse?>(nil)
  var response: HTTPResponse?
  switch service.handle(request, responder: HTTPResponder { r in slot.withLock { $0 = r } }) {
  case .response(let r): response = r
  case .deferred:
    for _ in 0..<5000 where response == nil {
      response = slot.withLock { $0 }
      if response == nil { Thread.sleep(forTimeInterval: 0.002) }
    }
  }
  return response
}
