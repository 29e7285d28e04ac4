/// `braid statetest`: runs GeneralStateTests files or folders and reports one line per
/// failing case, then a `N passed, M failed, K skipped` summary.
import ArgumentParser
import Foundation

struct StateTestCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "statetest",
    abstract: "Run Ethereum GeneralStateTests (JSON files or folders, searched recursively).")

  @Option(help: "The fork whose post-states to check. Only Cancun is implemented.")
  var fork = "Cancun"

  @Option(name: .customLong("run"), help: "Run only tests whose name matches this regular expression.")
  var pattern: String?

  @Option(help: "Worker threads (default: the number of cores).")
  var threads = ProcessInfo.processInfo.activeProcessorCount

  @Argument(help: "Test files (.json, .json.gz) or folders.")
  var paths: [String]

  func validate() throws {
    guard fork == "Cancun" else { throw ValidationError("fork \(fork) is not implemented (only Cancun)") }
    guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    if let pattern {
      do {
        _ = try Regex(pattern)
      } catch {
        throw ValidationError("--run: invalid regular expression '\(pattern)'")
      }
    }
  }

  func run() throws {
    let files = try Self.collectFiles(paths)
    let filter = try pattern.map { try Regex($0) }
    let fork = fork

    let loaded = ParallelWork.map(count: files.count, threads: threads) { i -> Result<[StateTest], InputError> in
      Result { () throws(InputError) -> [StateTest] in
        let json = try InputFile.readJSONObject(files[i].path, name: files[i].display)
        var tests: [StateTest] = []
        for name in json.fields.keys {
          tests.append(try StateTest(file: files[i].display, name: name, json: json.object(name), fork: fork))
        }
        return tests
      }
    }

    var failed = 0
    var tests: [StateTest] = []
    for result in loaded {
      switch result {
      case .success(let fileTests):
        tests += fileTests.filter { test in filter.map { test.name.contains($0) } ?? true }
      case .failure(let error):
        // Every load error starts with the file's name, so it is the whole report line.
        print("FAIL \(error)")
        failed += 1
      }
    }
    tests.sort { ($0.file, $0.name) < ($1.file, $1.name) }

    let work = tests.indices.flatMap { t in tests[t].cases.indices.map { (test: t, case: $0) } }
    let runTests = tests
    let outcomes = ParallelWork.map(count: work.count, threads: threads) { i in
      runTests[work[i].test].run(runTests[work[i].test].cases[work[i].case])
    }

    var passed = 0
    var skipped = 0
    var skipReasons: [String] = []
    for (item, outcome) in zip(work, outcomes) {
      switch outcome {
      case .passed:
        passed += 1
      case .skipped(let reason):
        skipped += 1
        if !skipReasons.contains(reason) {
          skipReasons.append(reason)
          print("SKIP \(reason)")
        }
      case .failed(let reason):
        failed += 1
        let test = tests[item.test]
        let c = test.cases[item.case]
        print("FAIL \(test.file): \(test.name) d=\(c.data) g=\(c.gas) v=\(c.value): \(reason)")
      }
    }
    print("\(passed) passed, \(failed) failed, \(skipped) skipped")
    if failed > 0 { throw ExitCode(1) }
  }

  /// A test file and the name it is reported under: relative to the folder it was found in,
  /// prefixed with that folder's own name, so reports stay short but unambiguous.
  struct TestFile: Sendable {
    let path: String
    let display: String
  }

  static func collectFiles(_ paths: [String]) throws(InputError) -> [TestFile] {
    var files: [TestFile] = []
    let fm = FileManager.default
    for path in paths {
      var isDirectory: ObjCBool = false
      guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw InputError("\(path): no such file or folder")
      }
      guard isDirectory.boolValue else {
        files.append(TestFile(path: path, display: path))
        continue
      }
      guard let walker = fm.enumerator(atPath: path) else { throw InputError("\(path): cannot read folder") }
      let root = URL(fileURLWithPath: path).standardized.lastPathComponent
      var found: [String] = []
      while let relative = walker.nextObject() as? String {
        if relative.hasSuffix(".json") || relative.hasSuffix(".json.gz") { found.append(relative) }
      }
      for relative in found.sorted() {
        let full = path.hasSuffix("/") ? path + relative : path + "/" + relative
        files.append(TestFile(path: full, display: root + "/" + relative))
      }
    }
    return files
  }
}
