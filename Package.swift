// swift-tools-version:6.0
import PackageDescription

/// Braid: an Ethereum execution service. Layers point only downward; see ../shared/DESIGN.md.
let optimize: [SwiftSetting] = [
  .unsafeFlags(["-Ounchecked", "-wmo", "-cross-module-optimization", "-enforce-exclusivity=unchecked"], .when(configuration: .release))
]

let package = Package(
  name: "Braid",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "braid", targets: ["braid"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
    .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
  ],
  targets: [
    .systemLibrary(
      name: "CSecp256k1", pkgConfig: "libsecp256k1",
      providers: [.apt(["libsecp256k1-dev"])]),
    .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
    .target(name: "BraidPrimitives", dependencies: ["CKeccakX4"], swiftSettings: optimize),
    // Our own C: eight secp256k1 public-key recoveries at once with AVX-512 IFMA. -O2 even in
    // debug builds, so that tests of the batch path do not crawl.
    .target(name: "CRecoverX8", dependencies: ["CSecp256k1"], cSettings: [.unsafeFlags(["-O2"])]),
    .target(
      name: "BraidCrypto",
      dependencies: ["BraidPrimitives", "CSecp256k1", "CRecoverX8", .product(name: "Crypto", package: "swift-crypto")],
      swiftSettings: optimize),
    // Our own C: four Keccak-256 hashes at once with AVX2 where the machine has it.
    .target(name: "CKeccakX4"),
    .target(name: "BraidTrie", dependencies: ["BraidPrimitives", "CKeccakX4"], swiftSettings: optimize),
    .target(name: "BraidBlockSTM", dependencies: ["BraidPrimitives"], swiftSettings: optimize),
    .target(name: "BraidEVM", dependencies: ["BraidPrimitives", "BraidCrypto"], swiftSettings: optimize),
    .target(
      name: "BraidExecution", dependencies: ["BraidPrimitives", "BraidEVM", "BraidTrie", "BraidBlockSTM"],
      swiftSettings: optimize),
    .systemLibrary(name: "CEpoll"),
    .target(name: "BraidHTTP", dependencies: ["CEpoll"], swiftSettings: optimize),
    .target(
      name: "BraidRPC",
      dependencies: [
        "BraidHTTP", "BraidPrimitives", "BraidEVM", "BraidCrypto", "BraidExecution", "BraidTrie",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "Prometheus", package: "swift-prometheus"),
      ],
      swiftSettings: optimize),
    .systemLibrary(name: "CLMDB", pkgConfig: "lmdb", providers: [.apt(["liblmdb-dev"])]),
    .target(name: "BraidStorage", dependencies: ["CLMDB", "BraidPrimitives", "BraidEVM"], swiftSettings: optimize),
    .target(
      name: "BraidNode",
      dependencies: [
        "BraidPrimitives", "BraidCrypto", "BraidEVM", "BraidExecution", "BraidTrie", "BraidRPC", "BraidStorage",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "Prometheus", package: "swift-prometheus"),
      ],
      swiftSettings: optimize),
    .executableTarget(
      name: "braid",
      dependencies: [
        "BraidPrimitives", "BraidCrypto", "BraidEVM", "BraidTrie", "BraidBlockSTM", "BraidExecution", "CZlib", "BraidHTTP", "BraidRPC",
        "BraidNode", "BraidStorage",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: optimize),
    .testTarget(name: "BraidPrimitivesTests", dependencies: ["BraidPrimitives"]),
    .testTarget(name: "BraidCryptoTests", dependencies: ["BraidCrypto", "BraidPrimitives"]),
    .testTarget(name: "BraidTrieTests", dependencies: ["BraidTrie", "BraidPrimitives", "CKeccakX4"]),
    .testTarget(name: "BraidBlockSTMTests", dependencies: ["BraidBlockSTM"]),
    .testTarget(name: "BraidCLITests", dependencies: ["braid", "BraidEVM", "BraidPrimitives"]),
    .testTarget(name: "BraidEVMTests", dependencies: ["BraidEVM", "BraidPrimitives", "BraidCrypto", "BraidTrie"]),
    .testTarget(
      name: "BraidExecutionTests",
      dependencies: ["BraidExecution", "BraidEVM", "BraidPrimitives", "BraidBlockSTM", "BraidTrie"]),
    .testTarget(name: "BraidHTTPTests", dependencies: ["BraidHTTP"]),
    .testTarget(
      name: "BraidNodeTests",
      dependencies: [
        "BraidNode", "BraidRPC", "BraidHTTP", "BraidExecution", "BraidEVM", "BraidPrimitives", "BraidCrypto", "BraidTrie",
        "BraidStorage",
      ]),
    .testTarget(
      name: "BraidRPCTests",
      dependencies: ["BraidRPC", "BraidHTTP", "BraidEVM", "BraidPrimitives", "BraidCrypto", "BraidTrie"]),
    .testTarget(
      name: "BraidStorageTests", dependencies: ["BraidStorage", "BraidExecution", "BraidEVM", "BraidPrimitives"]),
  ]
)
