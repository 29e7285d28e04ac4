/// The `braid` command line: conformance (`statetest`), benchmarks (`bench`) and the HTTP
/// server over a development chain (`serve`, until the node takes it over).
import ArgumentParser
import Foundation

@main
struct Braid: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "braid",
    abstract: "Braid: an Ethereum execution service with parallel (Block-STM) block execution.",
    subcommands: [StateTestCommand.self, BenchCommand.self, ServeCommand.self, VerifyChainCommand.self])

  /// Replaces ArgumentParser's default entry point so that every failure ends the same way:
  /// one `error: ...` line on stderr, exit 1 for bad input, exit 2 for bad usage, and never a
  /// stack trace. Help still prints normally.
  static func main() {
    terminate(status())
  }

  private static func status() -> Int32 {
    do {
      var command = try parseAsRoot()
      try command.run()
      return 0
    } catch let code as ExitCode {
      return code.rawValue
    } catch let error as InputError {
      printError(error.description)
      return 1
    } catch {
      let code = exitCode(for: error)
      if code == .success {
        print(fullMessage(for: error))
        return 0
      }
      printError(message(for: error))
      return code == .validationFailure ? 2 : 1
    }
  }
}

/// Outside `Braid` because there `exit` names ArgumentParser's `exit(withError:)`.
private func terminate(_ status: Int32) -> Never {
  exit(status)
}

/// One line on stderr: the message's own line breaks (a multi-line Foundation error, an
/// ArgumentParser usage hint) are folded so that scripts can rely on a single line.
func printError(_ message: String) {
  let oneLine = message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
    .filter { !$0.isEmpty }.joined(separator: " ")
  FileHandle.standardError.write(Data("error: \(oneLine)\n".utf8))
}

/// Input the command cannot use: a missing file, malformed JSON or gzip, a field of the wrong
/// type. Its description names the file and field so that the one error line is enough.
struct InputError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
