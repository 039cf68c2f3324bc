import Foundation
import Synchronization
import ZCCore
import ZCCrypto

/// The process runtime's agent image is its command line: `program args…`, pinned as
/// `/absolute/program@sha256:HEX args…`, the digest of the executable's bytes. An agent is started
/// with the pinned command; a pin whose executable has changed since is refused.
struct AgentCommandImage: Sendable, Hashable {
    var program: String
    var digest: String?
    var arguments: [String]

    init?(_ reference: String) {
        let words = reference.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let first = words.first else { return nil }
        if let at = first.range(of: "@sha256:") {
            program = String(first[..<at.lowerBound])
            digest = String(first[at.upperBound...])
        } else {
            program = first
            digest = nil
        }
        guard !program.isEmpty else { return nil }
        arguments = Array(words.dropFirst())
    }

    var argv: [String] { [program] + arguments }

    var pinned: String {
        ([digest.map { "\(program)@sha256:\($0)" } ?? program] + arguments).joined(separator: " ")
    }
}

extension ProcessRuntime {
    public func pinImage(_ reference: String) async throws -> String {
        guard var image = AgentCommandImage(reference) else {
            throw ContainerRuntimeError.imageNotFound("'\(reference)' (an empty agent command)")
        }
        let path = try Self.executable(image.program)
        let digest = try await DedicatedThread.run("image-digest") { try Self.sha256(ofFile: path) }
        if let pinned = image.digest, pinned != digest {
            throw ContainerRuntimeError.imageNotFound(
                "\(reference) (\(path) has changed since it was pinned: its sha256 is now \(digest.prefix(12))…)")
        }
        image.program = path
        image.digest = digest
        return image.pinned
    }

    /// The agent's command line for `spec`: its image's when pinned (`pinImage`), else
    /// `runtime.agent_command` (an image named for another runtime, or none).
    func command(for spec: ContainerSpec) -> [String] {
        guard let image = AgentCommandImage(spec.image), image.digest != nil else { return options.agentCommand }
        return image.argv
    }

    /// The absolute path of `program`: as given when it holds a slash, else found on the `PATH`.
    static func executable(_ program: String) throws -> String {
        if program.contains("/") {
            guard access(program, X_OK) == 0 else {
                throw ContainerRuntimeError.failed("the agent command \(program) is not an executable file")
            }
            return program.hasPrefix("/")
                ? program : FileManager.default.currentDirectoryPath + "/" + program
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where directory.hasPrefix("/") {
            let candidate = "\(directory)/\(program)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        throw ContainerRuntimeError.failed("the agent command \(program) is not on the PATH")
    }

    /// Digests already taken, by path, with the file's identity then (device, inode, size, mtime): an
    /// agent's create checks its pin without reading the executable again.
    private static let digests = Mutex<[String: (stamp: [Int64], digest: String)]>([:])

    /// The SHA-256 of a file's bytes, in lowercase hex; at most 4 GiB are read.
    static func sha256(ofFile path: String) throws -> String {
        var status = stat()
        let stamp: [Int64]? =
            stat(path, &status) == 0
            ? [
                Int64(status.st_dev), Int64(status.st_ino), Int64(status.st_size), Int64(status.st_mtim.tv_sec),
                Int64(status.st_mtim.tv_nsec),
            ] : nil
        if let stamp, let known = digests.withLock({ $0[path] }), known.stamp == stamp { return known.digest }
        let digest = try readDigest(path)
        if let stamp { digests.withLock { $0[path] = (stamp, digest) } }
        return digest
    }

    private static func readDigest(_ path: String) throws -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ContainerRuntimeError.imageNotFound("\(path) (cannot be read: \(String(cString: strerror(errno))))")
        }
        defer { close(descriptor) }
        let hasher = StreamingSHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var total = 0
        while total < 4 << 30 {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            hasher.update(Array(buffer[..<count]))
            total += count
        }
        return hasher.finish().map { String(format: "%02x", $0) }.joined()
    }
}
