#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// How many cores this process may actually use: the online cores, narrowed by the CPU
/// affinity mask (`taskset`, a cpuset) and by a cgroup CPU quota (`docker run --cpus`, a
/// Kubernetes CPU limit). A container limited to two CPUs on a 64-core host sees 64 online
/// cores; Block-STM workers sized from that are 32 busy threads per core, and a run with
/// more workers than cores loses most of its throughput to preempted lock holders and to
/// workers waiting on descheduled ones. Defaults (worker counts, event loops) and the
/// oversubscription check come from here.
public enum CPUBudget {
  /// Computed once: the budget of a running process does not change often enough to be
  /// worth a file read per block.
  public static let cores: Int = {
    var cores = WorkerThreads.onlineCores
    if let affinity = affinityCores() { cores = min(cores, affinity) }
    if let quota = quotaCores() { cores = min(cores, quota) }
    return max(1, cores)
  }()

  /// Cores in the process's affinity mask (the `Cpus_allowed` hex mask of
  /// /proc/self/status; Glibc's `sched_getaffinity` is not visible to Swift), or nil where
  /// there is none to read.
  static func affinityCores() -> Int? {
    guard let status = readSmallFile("/proc/self/status", limit: 16 << 10) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("Cpus_allowed:") {
      return affinityCores(mask: String(line.dropFirst("Cpus_allowed:".count)))
    }
    return nil
  }

  /// Set bits of a mask written as comma-separated hex words ("ff,00000003").
  static func affinityCores(mask: String) -> Int? {
    var count = 0
    for ch in mask.utf8 {
      switch ch {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): count += Int(ch - UInt8(ascii: "0")).nonzeroBitCount
      case UInt8(ascii: "a")...UInt8(ascii: "f"): count += Int(ch - UInt8(ascii: "a") + 10).nonzeroBitCount
      case UInt8(ascii: "A")...UInt8(ascii: "F"): count += Int(ch - UInt8(ascii: "A") + 10).nonzeroBitCount
      case UInt8(ascii: ","), UInt8(ascii: " "), UInt8(ascii: "\t"): continue
      default: return nil
      }
    }
    return count > 0 ? count : nil
  }

  /// The cgroup CPU quota in whole cores (rounded up), or nil when there is none: cgroup v2's
  /// `cpu.max`, else cgroup v1's `cpu.cfs_quota_us` and `cpu.cfs_period_us`, as mounted
  /// inside a container.
  static func quotaCores() -> Int? {
    if let line = readSmallFile("/sys/fs/cgroup/cpu.max") { return quotaCores(cpuMax: line) }
    if let quota = readSmallFile("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"),
      let period = readSmallFile("/sys/fs/cgroup/cpu/cpu.cfs_period_us")
    {
      return quotaCores(quota: quota, period: period)
    }
    return nil
  }

  /// `cpu.max` holds "QUOTA PERIOD" in microseconds, or "max PERIOD" for no limit.
  static func quotaCores(cpuMax: String) -> Int? {
    let fields = cpuMax.split(whereSeparator: { $0 == " " || $0 == "\n" })
    guard fields.count == 2 else { return nil }
    return quotaCores(quota: String(fields[0]), period: String(fields[1]))
  }

  /// A quota of -1 (v1) or "max" (v2) is no limit.
  static func quotaCores(quota: String, period: String) -> Int? {
    let trim: (String) -> Substring = { $0.split(whereSeparator: { $0 == "\n" || $0 == " " }).first ?? "" }
    guard let q = Int(trim(quota)), let p = Int(trim(period)), q > 0, p > 0 else { return nil }
    return (q + p - 1) / p
  }

  /// The first `limit` bytes of a file (procfs and cgroupfs files are read in one call).
  private static func readSmallFile(_ path: String, limit: Int = 256) -> String? {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: limit)
    var filled = 0
    while filled < limit {
      let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, limit - filled) }
      if n <= 0 { break }
      filled += n
    }
    guard filled > 0 else { return nil }
    return String(decoding: buffer[..<filled], as: UTF8.self)
  }
}
