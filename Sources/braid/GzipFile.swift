/// Reading fixture and benchmark files: plain `.json` or gzip-compressed `.json.gz`, told
/// apart by the gzip magic bytes rather than the name, then parsed with JSONSerialization
/// (loading is never timed, so Foundation's parser is fast enough).
import CZlib
import Foundation

enum InputFile {
  /// The file's bytes, inflated when they start with the gzip magic 1f 8b. Errors name the
  /// file as `name` (default: `path`).
  static func read(_ path: String, name: String? = nil) throws(InputError) -> Data {
    let name = name ?? path
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw InputError("\(name): no such file")
    }
    guard !isDirectory.boolValue else { throw InputError("\(name): is a directory") }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw InputError("\(name): cannot read file")
    }
    guard data.count >= 2, data[data.startIndex] == 0x1f, data[data.startIndex + 1] == 0x8b else {
      return data
    }
    do {
      return try Gzip.inflate(data)
    } catch {
      throw InputError("\(name): \(error.description)")
    }
  }

  /// The file's top-level JSON object.
  static func readJSONObject(_ path: String, name: String? = nil) throws(InputError) -> JSONObject {
    let name = name ?? path
    let data = try read(path, name: name)
    let value: Any
    do {
      value = try JSONSerialization.jsonObject(with: data)
    } catch {
      throw InputError("\(name): malformed JSON (\(error.localizedDescription))")
    }
    return try JSONObject(value, file: name)
  }
}

enum Gzip {
  struct Failure: Error, CustomStringConvertible {
    let description: String
  }

  /// Inflates gzip (or zlib) data. Window bits 15 + 32 ask zlib to detect the header itself.
  /// Concatenated gzip members, which `gzip` produces when files are appended, are all read.
  static func inflate(_ input: Data) throws(Failure) -> Data {
    guard input.count <= Int(UInt32.max) else { throw Failure(description: "gzip input larger than 4 GiB") }
    var stream = z_stream()
    guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
      throw Failure(description: "cannot initialise zlib")
    }
    defer { inflateEnd(&stream) }

    var output = Data()
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    var source = [UInt8](input)
    let status: Int32 = source.withUnsafeMutableBufferPointer { inBuffer in
      stream.next_in = inBuffer.baseAddress
      stream.avail_in = UInt32(inBuffer.count)
      return chunk.withUnsafeMutableBufferPointer { outBuffer in
        while true {
          stream.next_out = outBuffer.baseAddress
          stream.avail_out = UInt32(outBuffer.count)
          let rc = CZlib.inflate(&stream, Z_NO_FLUSH)
          output.append(outBuffer.baseAddress!, count: outBuffer.count - Int(stream.avail_out))
          switch rc {
          case Z_OK:
            continue
          case Z_STREAM_END:
            if stream.avail_in == 0 { return Z_STREAM_END }
            let reset = inflateReset(&stream)
            if reset != Z_OK { return reset }
          case Z_BUF_ERROR where stream.avail_in == 0:
            // No progress possible and no input left: the stream stopped before its end.
            return Z_BUF_ERROR
          default:
            return rc
          }
        }
      }
    }
    switch status {
    case Z_STREAM_END: return output
    case Z_BUF_ERROR: throw Failure(description: "truncated gzip data")
    case Z_MEM_ERROR: throw Failure(description: "out of memory inflating gzip data")
    default: throw Failure(description: "corrupt gzip data")
    }
  }
}
