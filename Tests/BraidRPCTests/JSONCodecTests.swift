import BraidRPC
import Testing

@Test func parsesEveryKindOfValue() throws {
  let v = try JSONParser.parse(#" {"a":[1,-2.5e3,true,false,null],"b":{"c":"d"},"e":""} "#)
  #expect(v["a"] == [.number("1"), .number("-2.5e3"), true, false, nil])
  #expect(v["b"]?["c"] == "d")
  #expect(v["e"] == "")
}

@Test func numbersKeepTheirLiteralText() throws {
  #expect(try JSONParser.parse("12345678901234567890123") == .number("12345678901234567890123"))
  #expect(try JSONParser.parse("1.50") == .number("1.50"))
  #expect(try JSONParser.parse("-0") == .number("-0"))
}

@Test func escapesDecode() throws {
  #expect(try JSONParser.parse(#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00""#) == .string("a\"b\\c/d\n\té😀"))
  #expect(try JSONParser.parse("\"é\"") == .string("é"))
}

@Test(arguments: [
  "", "{", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "1e", "+1", "tru", "nul", "\"abc", "\"a\u{01}b\"", #""\x""#,
  #""\ud800""#, #""\udc00x""#, #""\u12G4""#, "[1 2]", "{\"a\" 1}", "{1:2}", "1 2", "// c\n1", "'a'", "NaN",
])
func malformedJSONIsRejected(_ text: String) {
  #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
}

@Test func invalidUTF8IsRejected() {
  #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xff, 0xfe, 0x22]) }
  #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0x5c, 0x6e, 0xc3, 0x22]) }
}

@Test func nestingIsBounded() throws {
  let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
  #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
  let ok = String(repeating: "[", count: 60) + String(repeating: "]", count: 60)
  _ = try JSONParser.parse(ok)
}

@Test func writerEscapesAndRoundTrips() throws {
  let value: JSONValue = ["s": .string("q\"b\\n\n\u{01}é"), "a": [1, nil, false], "o": [:]]
  var w = JSONWriter()
  w.write(value)
  let text = String(decoding: w.bytes, as: UTF8.self)
  #expect(text == #"{"s":"q\"b\\n\n\u0001é","a":[1,null,false],"o":{}}"#)
  #expect(try JSONParser.parse(w.bytes) == value)
}

@Test func quantitiesHaveNoLeadingZeros() {
  #expect(Quantity.hex(UInt64(0)) == "0x0")
  #expect(Quantity.hex(UInt64(1)) == "0x1")
  #expect(Quantity.hex(UInt64(0x400)) == "0x400")
  #expect(Quantity.hex(UInt64.max) == "0xffffffffffffffff")
  #expect(DataHex.hex([UInt8]()) == "0x")
  #expect(DataHex.hex([0x00, 0x0f]) == "0x000f")
}
