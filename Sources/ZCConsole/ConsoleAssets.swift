import Foundation

/// The console's files, built into the binary (`EmbeddedConsoleFiles`, written by the ConsoleEmbedding
/// plugin from `Assets/`): decoded and compressed once, then served from memory.
public struct ConsoleAssets: Sendable {
    public let files: [String: ConsoleFile]

    public init(files: [ConsoleFile]) {
        self.files = Dictionary(files.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The files this binary was built with.
    public static let embedded = ConsoleAssets(
        files: EmbeddedConsoleFiles.files.compactMap { entry in
            Data(base64Encoded: entry.base64).map { ConsoleFile(name: entry.name, bytes: Array($0)) }
        })

    /// The page every console address loads.
    public var index: ConsoleFile? { files["index.html"] }

    /// The bytes of the scripts and style sheets, uncompressed: the console's budget is 60 KB.
    public var codeBytes: Int {
        files.values.filter { $0.name.hasSuffix(".js") || $0.name.hasSuffix(".css") }.reduce(0) { $0 + $1.bytes.count }
    }
}
