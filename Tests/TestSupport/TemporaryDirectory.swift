import Foundation
import ZCCore

/// A fresh directory under the system's temporary directory, removed by `remove()`.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init(_ prefix: String = "zcplatform-test") throws {
        let base = FileManager.default.temporaryDirectory.path
        path = "\(base)/\(prefix)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> String { "\(path)/\(name)" }

    /// Removes the directory and everything in it, however deep (Foundation's removal gives up on trees
    /// deeper than PATH_MAX), never following a link out of it.
    public func remove() {
        let parent = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        guard let handle = try? DirectoryHandle.openConfigured(parent, name: "the temporary directory") else { return }
        _ = try? handle.removeTree(name, budget: .max)
    }

    /// Runs `body` with the directory, then removes it off the cooperative pool: for trees whose removal
    /// takes seconds, which would stall every other test on the pool's few threads.
    public func scoped<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            let result = try await body()
            _ = try? await Blocking.run { remove() }
            return result
        } catch {
            _ = try? await Blocking.run { remove() }
            throw error
        }
    }
}
