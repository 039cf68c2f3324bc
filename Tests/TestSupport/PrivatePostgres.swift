import Foundation

/// A PostgreSQL server of the test's own, for tests that restart or stop it (the shared server of
/// `ZC_TEST_POSTGRES_URL` serves every other suite at the same time). Started by `.ci/postgres` with a
/// port of its own, in a directory of its own; needs the server binaries `.ci/run` installs.
public final class PrivatePostgres: Sendable {
    public let directory: String
    public let port: Int
    /// `postgres://postgres@127.0.0.1:{port}/zcplatform_test`.
    public let url: String

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".ci/postgres").path

    /// Whether the server binaries are here.
    public static var available: Bool {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).contains {
            FileManager.default.fileExists(atPath: "/usr/lib/postgresql/\($0)/bin/pg_ctl")
        }
    }

    /// Initialises and starts a server.
    public init() async throws {
        directory = try TemporaryDirectory("zc-private-pg").path
        // The postgres user must reach its data directory.
        chmod(directory, 0o755)
        port = FreePort.next()
        url = "postgres://postgres@127.0.0.1:\(port)/zcplatform_test"
        try await run("start")
    }

    /// Starts a streaming standby of `primary` on a port of its own, and makes it the primary's
    /// synchronous standby: from then on the primary acknowledges a commit only once this server has it.
    public init(standbyOf primary: PrivatePostgres) async throws {
        directory = try TemporaryDirectory("zc-private-pg-standby").path
        chmod(directory, 0o755)
        port = FreePort.next()
        url = "postgres://postgres@127.0.0.1:\(port)/zcplatform_test"
        try await run("standby", String(primary.port))
    }

    /// Starts a server, runs `body` with it, and removes it, also when `body` throws.
    public static func using(_ body: (PrivatePostgres) async throws -> Void) async throws {
        try await scoped(try await PrivatePostgres(), body)
    }

    /// Starts a synchronous standby of this server, runs `body` with it, and removes it, also when `body`
    /// throws.
    public func usingStandby(_ body: (PrivatePostgres) async throws -> Void) async throws {
        try await Self.scoped(try await PrivatePostgres(standbyOf: self), body)
    }

    private static func scoped(
        _ server: PrivatePostgres, _ body: (PrivatePostgres) async throws -> Void
    ) async throws {
        do {
            try await body(server)
        } catch {
            await server.remove()
            throw error
        }
        await server.remove()
    }

    /// `pg_ctl stop -m immediate`: gone at once, sessions cut, as a crash leaves it.
    public func crash() async throws { try await run("crash") }

    /// `pg_ctl promote`: a standby becomes a primary.
    public func promote() async throws { try await run("promote") }

    /// `pg_ctl restart -m fast`, as `.ci/postgres restart` does it: stopped (every session ended), started.
    public func restart() async throws { try await run("restart") }

    public func stop() async throws { try await run("stop") }

    /// Stops the server and removes its files.
    public func remove() async {
        try? await run("stop")
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func run(_ command: String, _ arguments: String...) async throws {
        let (directory, port) = (directory, port)
        let (status, text) = try await Blocking.run { () throws -> (Int32, String) in
            var environment = ProcessInfo.processInfo.environment
            environment["ZC_PG_PORT"] = String(port)
            // A file, not a pipe, for stderr: the server the script starts may keep what it inherits.
            let log = "\(directory)/ci-postgres-\(command).log"
            FileManager.default.createFile(atPath: log, contents: nil)
            let child = try ChildProcess(
                ["/bin/bash", Self.script, command, directory] + arguments, environment: environment, stderrFile: log)
            let status = child.wait()
            return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
        }
        guard status == 0 else {
            throw PrivatePostgresError(message: ".ci/postgres \(command) failed (\(status)): \(text)")
        }
    }
}

public struct PrivatePostgresError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
