import Dispatch
import Foundation
import ZCCore

/// The tenants' data directories under `[runtime] data_dir`: `{data_dir}/{id}` is bound to
/// `/zeroclaw-data` and holds `.zeroclaw/config.toml`; a deleted tenant's directory moves to
/// `{data_dir}/.deleted/{id}.{unix seconds}` and is purged after the grace period.
///
/// A tenant's agent writes its own directory, so everything in it is the tenant's to plant: the platform,
/// running as root, reaches it only through directory descriptors (`DirectoryHandle`): created with
/// `mkdirat`, opened with `O_NOFOLLOW`, owned with `fchown`, written by `renameat`, removed with
/// `unlinkat`. A link, FIFO, device or hard link where the platform must write is a `TenantTreeRefusal`.
struct TenantDirectories: Sendable {
    /// Absolute: Docker binds only absolute paths.
    let root: String
    /// Give each directory to the tenant's uid (containers run as that uid); the process runtime runs
    /// agents as the platform's own user and keeps its ownership.
    let ownedByTenant: Bool

    static let agentDirectory = ".zeroclaw"
    static let configFile = "config.toml"
    static let deletedDirectory = ".deleted"
    /// Copies left behind by tenants moved to another node, kept for `cluster.moved_retention_hours`.
    static let movedDirectory = ".moved"
    /// Where moves land and archives wait: the platform's own, never a tenant's.
    static let incomingDirectory = ".incoming"

    init(root: String, ownedByTenant: Bool) {
        let absolute =
            root.hasPrefix("/")
            ? root : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(root)
        self.root = (absolute as NSString).standardizingPath
        self.ownedByTenant = ownedByTenant
    }

    func path(of id: TenantID) -> String { "\(root)/\(id.rawValue)" }
    var deletedRoot: String { "\(root)/\(Self.deletedDirectory)" }

    /// The directory holding every tenant's, created (mode 0711) when missing.
    private func openRoot() throws -> DirectoryHandle {
        try DirectoryHandle.openConfigured(root, name: "the tenants' directory (runtime.data_dir)", creatingWith: 0o711)
    }

    /// Opens the tenant's directory and its `.zeroclaw` (creating them with mode 0700), both given to
    /// `uid` where tenants own theirs. An existing directory (a redeploy) keeps its contents.
    private func openAgentDirectory(_ id: TenantID, uid: Int) throws -> DirectoryHandle {
        let root = try openRoot()
        try root.makeDirectory(id.rawValue, mode: 0o700)
        let top = try root.openDirectory(id.rawValue, displayedAs: "")
        if ownedByTenant { try top.setOwner(uid: UInt32(uid), gid: UInt32(uid)) }
        try top.makeDirectory(Self.agentDirectory, mode: 0o700)
        let agent = try top.openDirectory(Self.agentDirectory)
        if ownedByTenant { try agent.setOwner(uid: UInt32(uid), gid: UInt32(uid)) }
        return agent
    }

    /// Creates the tenant's directory and its `.zeroclaw`; returns the directory's host path.
    func prepare(_ id: TenantID, uid: Int) throws -> String {
        _ = try openAgentDirectory(id, uid: uid)
        return path(of: id)
    }

    /// Writes the agent's `config.toml` (mode 0600, the tenant's where tenants own their directories) by
    /// a rename, so the agent never reads half a file and nothing planted is written through.
    func writeConfig(_ text: String, of id: TenantID, uid: Int) throws {
        let agent = try openAgentDirectory(id, uid: uid)
        try agent.replaceFile(
            Self.configFile, contents: Array(text.utf8), mode: 0o600,
            owner: ownedByTenant ? (UInt32(uid), UInt32(uid)) : nil)
    }

    /// The agent's `config.toml` as it stands (the agent writes its pairings into it), nil when the tenant
    /// has no directory or no config yet. Read through descriptors, bounded: the tenant wrote it.
    func readConfig(of id: TenantID, maxBytes: Int = 1 << 20) throws -> [UInt8]? {
        let root = try openRoot()
        guard root.entry(id.rawValue) != nil else { return nil }
        let top = try root.openDirectory(id.rawValue, displayedAs: "")
        guard top.entry(Self.agentDirectory) != nil else { return nil }
        return try top.openDirectory(Self.agentDirectory).readFile(Self.configFile, maxBytes: maxBytes)
    }

    /// Moves the tenant's directory aside into `.deleted`; nil when it has none.
    func moveAside(_ id: TenantID, at time: Timestamp) throws -> String? {
        try moveAside(id, into: Self.deletedDirectory, at: time)
    }

    /// Moves the directory of a tenant that moved to another node into `.moved`; nil when it has none.
    func moveAsideMoved(_ id: TenantID, at time: Timestamp) throws -> String? {
        try moveAside(id, into: Self.movedDirectory, at: time)
    }

    /// Moves the tenant's directory into `directory` (created 0700) as `{id}.{unix seconds}`.
    private func moveAside(_ id: TenantID, into directory: String, at time: Timestamp) throws -> String? {
        let root = try openRoot()
        guard root.entry(id.rawValue) != nil else { return nil }
        try root.makeDirectory(directory, mode: 0o700)
        let aside = try root.openDirectory(directory)
        let name = "\(id.rawValue).\(time.seconds)"
        try root.move(id.rawValue, to: aside, as: name)
        return "\(self.root)/\(directory)/\(name)"
    }

    /// A new path in the platform's own `.incoming` directory (created 0700), for an archive or a tree
    /// being received.
    func incomingPath(_ name: String) throws -> String {
        let root = try openRoot()
        try root.makeDirectory(Self.incomingDirectory, mode: 0o700)
        return "\(self.root)/\(Self.incomingDirectory)/\(name)"
    }

    /// Packs the tenant's directory into the archive `path` (`TenantArchive.pack`); an empty archive
    /// when it has none.
    func pack(
        _ id: TenantID, into path: String, maxBytes: Int64 = .max
    ) throws -> (
        sha256: String, summary: TenantArchive.Summary
    ) {
        let root = try openRoot()
        if root.entry(id.rawValue) == nil { try root.makeDirectory(id.rawValue, mode: 0o700) }
        return try TenantArchive.pack(
            try root.openDirectory(id.rawValue, displayedAs: ""), into: path, maxBytes: maxBytes)
    }

    /// Makes the archive the tenant's directory here: unpacked beside it in `.incoming`, given to `uid`
    /// where tenants own theirs, then put in place by a rename (a directory already there, left by an
    /// earlier stay, goes to `.moved` first).
    func receive(_ archive: String, for id: TenantID, uid: Int, at time: Timestamp) throws -> TenantArchive.Summary {
        let landing = try incomingPath("\(id.rawValue).\(time.seconds).tree")
        let owner = ownedByTenant ? (UInt32(uid), UInt32(uid)) : nil
        let summary: TenantArchive.Summary
        do {
            summary = try TenantArchive.unpack(archive, into: landing, owner: owner)
        } catch {
            let root = try openRoot()
            if let incoming = try? root.openDirectory(Self.incomingDirectory) {
                _ = try? incoming.removeTree((landing as NSString).lastPathComponent)
            }
            throw error
        }
        _ = try moveAsideMoved(id, at: time)
        let root = try openRoot()
        let incoming = try root.openDirectory(Self.incomingDirectory)
        try incoming.move((landing as NSString).lastPathComponent, to: root, as: id.rawValue)
        return summary
    }

    /// Puts a directory moved aside back (a delete whose database change failed).
    func restore(_ moved: String, to id: TenantID) {
        guard let root = try? openRoot(), let deleted = try? root.openDirectory(Self.deletedDirectory) else { return }
        try? deleted.move((moved as NSString).lastPathComponent, to: root, as: id.rawValue)
    }

    /// Removes the directories of tenants deleted before `cutoff`, at most `budget` entries a call (what
    /// is left is removed by the next call); returns the host paths it removed whole. Blocking: call it
    /// off the cooperative pool (`purgeInBackground`).
    func purge(deletedBefore cutoff: Timestamp, budget: Int = 200_000) throws -> [String] {
        try purge(Self.deletedDirectory, before: cutoff, budget: budget)
    }

    /// Removes what `directory` (`.deleted` or `.moved`) holds from before `cutoff`.
    func purge(_ directory: String, before cutoff: Timestamp, budget: Int = 200_000) throws -> [String] {
        let root = try openRoot()
        guard root.entry(directory) != nil else { return [] }
        let deleted = try root.openDirectory(directory)
        let deletedRoot = "\(self.root)/\(directory)"
        var removed: [String] = []
        var left = budget
        for name in try deleted.names() where left > 0 {
            guard let dot = name.lastIndex(of: "."), let seconds = Int64(name[name.index(after: dot)...]),
                seconds < cutoff.seconds
            else { continue }
            let result = try deleted.removeTree(name, budget: left)
            left -= result.operations
            if result.complete { removed.append("\(deletedRoot)/\(name)") }
        }
        return removed
    }

    /// `purge` on a dispatch thread, so a large tree never holds up the cooperative pool.
    func purgeInBackground(
        deletedBefore cutoff: Timestamp, movedBefore movedCutoff: Timestamp? = nil
    ) async throws
        -> [String]
    {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .utility).async {
                continuation.resume(
                    with: Result {
                        try self.purge(deletedBefore: cutoff)
                            + (movedCutoff.map { try self.purge(Self.movedDirectory, before: $0) } ?? [])
                    })
            }
        }
    }
}
