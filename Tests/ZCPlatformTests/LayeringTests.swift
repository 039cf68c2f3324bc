import Foundation
import Testing

/// The layering rules of ARCHITECTURE.md, checked on the source tree: the core knows protocols and no
/// HTTP; drivers and plugins know the core, never each other; HTTP statuses are chosen at the API edge.
@Suite("Layering of the source tree")
struct LayeringTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// Every Swift file below `folder` (relative to the package), with its text.
    static func sources(_ folder: String) -> [(path: String, text: String)] {
        let base = root + "/" + folder
        guard let walker = FileManager.default.enumerator(atPath: base) else { return [] }
        return walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }.sorted().compactMap { relative in
            (try? String(contentsOfFile: base + "/" + relative, encoding: .utf8)).map { (folder + "/" + relative, $0) }
        }
    }

    static func imports(_ text: String) -> Set<String> {
        Set(
            text.split(separator: "\n").compactMap { line in
                let words = line.split(separator: " ")
                guard words.count >= 2, words[0] == "import" || (words[0] == "@testable" && words[1] == "import")
                else { return nil }
                return String(words.last!)
            })
    }

    @Test("the core, the drivers and the plugins speak no HTTP status: failures are kinds, mapped at the edge")
    func noHTTPInTheCore() {
        let files = Self.sources("Sources/ZCCore") + Self.sources("Modules") + Self.sources("Plugins")
        #expect(!files.isEmpty)
        for (path, text) in files {
            for word in ["httpStatus", "HTTPStatus", "HTTPError", "HTTPStatusError"] {
                #expect(!text.contains(word), "\(path) names \(word)")
            }
        }
        // In the platform, only the API folder answers with HTTP errors.
        for (path, text) in Self.sources("Sources/ZCPlatform") where !path.hasPrefix("Sources/ZCPlatform/API/") {
            #expect(!text.contains("HTTPError"), "\(path) throws an HTTPError outside the API")
        }
    }

    @Test("drivers and plugins import the core and the shared libraries, never one another")
    func driversAndPluginsStandAlone() {
        let shared: Set<String> = [
            "Foundation", "FoundationNetworking", "Glibc", "Dispatch", "Synchronization", "ZCCore", "ZCSQL", "ZCHTTP",
            "ZCCrypto",
            "CSQLite", "CLibPQ", "CSSL", "CProcess", "CEpoll", "CZlib", "CCrypto",
        ]
        for (path, text) in Self.sources("Modules") + Self.sources("Plugins") {
            let foreign = Self.imports(text).subtracting(shared)
            #expect(foreign.isEmpty, "\(path) imports \(foreign.sorted())")
        }
        for (path, text) in Self.sources("Sources/ZCCore") {
            let allowed: Set<String> = ["Foundation", "Glibc", "Dispatch", "Synchronization"]
            #expect(
                Self.imports(text).isSubset(of: allowed), "\(path) imports \(Self.imports(text).subtracting(allowed))")
        }
    }
}
