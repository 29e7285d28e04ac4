/// The CLI's input layer: gzip inflation and typed JSON access must turn every kind of bad
/// input into an error value, never a trap, because fixtures and blocks come from outside.
import BraidEVM
import BraidPrimitives
import Foundation
import Testing

@testable import braid

private func data(_ hex: String) throws -> Data { Data(try Hex.decode(hex)) }

@Test func inflatesGzip() throws {
  let gz = try data("1f8b0800000000000203ab564a54b25230ac0500978ea1fb08000000")
  #expect(String(decoding: try Gzip.inflate(gz), as: UTF8.self) == #"{"a": 1}"#)
}

@Test func inflatesConcatenatedGzipMembers() throws {
  let gz = try data(
    "1f8b0800000000000203ab564a54b25230ac0500978ea1fb080000001f8b08000000000002038b368a05007b61026703000000")
  #expect(String(decoding: try Gzip.inflate(gz), as: UTF8.self) == #"{"a": 1}[2]"#)
}

@Test func inflatesZlibToo() throws {
  #expect(String(decoding: try Gzip.inflate(data("789ccb48cdc9c90700062c0215")), as: UTF8.self) == "hello")
}

@Test func rejectsTruncatedAndCorruptGzip() throws {
  let gz = try data("1f8b0800000000000203ab564a54b25230ac0500978ea1fb08000000")
  #expect(throws: Gzip.Failure.self) { try Gzip.inflate(gz.prefix(12)) }
  var corrupt = gz
  corrupt[12] ^= 0xff
  #expect(throws: Gzip.Failure.self) { try Gzip.inflate(corrupt) }
  #expect(throws: Gzip.Failure.self) { try Gzip.inflate(Data([0x1f, 0x8b])) }
}

@Test func quantitiesFromHexDecimalAndJSONNumbers() throws {
  let object = try JSONObject(
    JSONSerialization.jsonObject(with: Data(#"{"h": "0x0a", "d": "10", "n": 10, "big": "0x1ffffffffffffffff"}"#.utf8)),
    file: "t.json")
  #expect(try object.uint256("h") == UInt256(10))
  #expect(try object.uint256("d") == UInt256(10))
  #expect(try object.uint64("n") == 10)
  #expect(try object.uint256("big") == UInt256(w0: .max, w1: 1, w2: 0, w3: 0))
  #expect(throws: InputError.self) { try object.uint64("big") }
}

@Test func badFieldsNameTheirPath() throws {
  let object = try JSONObject(
    JSONSerialization.jsonObject(with: Data(#"{"env": {"x": [1], "n": -1, "s": "0xzz", "f": 1.5}}"#.utf8)),
    file: "t.json")
  let env = try object.object("env")
  for key in ["x", "n", "s", "f", "missing"] {
    let error = #expect(throws: InputError.self) { try env.uint256(key) }
    #expect(error?.description.hasPrefix("t.json: env.\(key): ") == true)
  }
  #expect(throws: InputError.self) { try object.array("env") }
  #expect(throws: InputError.self) { try JSONObject([1, 2], file: "t.json") }
}

@Test func preStateDropsZeroSlots() throws {
  let pre = try JSONObject(
    JSONSerialization.jsonObject(
      with: Data(
        #"{"0x00000000000000000000000000000000000000aa": {"balance": "0x01", "nonce": "0x02", "code": "0x00", "storage": {"0x01": "0x00", "0x02": "0x05"}}}"#
          .utf8)),
    file: "t.json")
  let state = try InMemoryState(json: pre)
  let account = try #require(state.accounts[Address(hi: 0, mid: 0, lo: 0xaa)])
  #expect(account.balance == UInt256(1) && account.nonce == 2 && account.code.bytes == [0])
  #expect(account.storage == [UInt256(2): UInt256(5)])
}
