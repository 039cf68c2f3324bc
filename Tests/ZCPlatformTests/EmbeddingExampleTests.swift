import Foundation
import TestSupport
import Testing

/// `Docs/examples/embedding/`, a separate package that depends on this one by path, built and run as an
/// embedder would: its own collector's rows land in the store, its own notifier is called, and its
/// configuration keys are checked like the platform's.
@Suite("The embedding example")
struct EmbeddingExampleTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let example = "\(root)/Docs/examples/embedding"
    /// Inside `.build`, so nothing lands in the repository; `.ci/run` builds it before the tests, which
    /// makes the build here a check that it is current.
    static let scratch = "\(root)/.build/embedding-example"

    static func swiftAvailable() async -> Bool {
        let found = (try? await ChildProcess.output(["/usr/bin/env", "swift", "--version"]))?.status == 0
        if !found {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                Issue.record("swift is not on the PATH of the tests")
            } else {
                print("skipping the embedding example: no swift on the PATH")
            }
        }
        return found
    }

    @Test("built by path, run: its collector's rows in the store, its notifier called, its keys checked")
    func buildsAndRuns() async throws {
        guard await Self.swiftAvailable(), SQLiteShell.required() else { return }
        let build = try await ChildProcess.output([
            "/usr/bin/env", "swift", "build", "--package-path", Self.example, "--scratch-path", Self.scratch,
            // Planned afresh each time: a cached plan misses files zcplatform moved since (a few seconds).
            "--disable-build-manifest-caching",
        ])
        try #require(build.status == 0, "\(build.stdoutText.suffix(3000))\(build.stderrText.suffix(3000))")
        let binary = "\(Self.scratch)/debug/EmbeddedPlatform"

        let directory = try TemporaryDirectory("zc-embedding")
        defer { directory.remove() }
        try FileManager.default.copyItem(
            atPath: "\(Self.example)/zcplatform.toml", toPath: directory.file("zcplatform.toml"))
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ZCPLATFORM_") }
        let run = try await ChildProcess.output([binary], environment: environment, directory: directory.path)
        #expect(run.status == 0, "\(run.stdoutText)\(run.stderrText.suffix(3000))")
        let lines = run.stdoutText.split(separator: "\n").map(String.init)
        let rows = lines.first { $0.hasPrefix("inventory rows: ") }.flatMap { Int($0.dropFirst(16)) } ?? 0
        #expect(rows > 0, "\(run.stdoutText)")
        #expect(lines.contains("journal lines: 1"), "\(run.stdoutText)")

        // The collector's rows, read from the database with the stock shell.
        let stored = try await SQLiteShell.run(
            directory.file("data/zcplatform.db"),
            "SELECT COUNT(*), MAX(json_extract(detail, '$.label')) FROM audit_log WHERE action = 'inventory.counted'")
        #expect(stored.stdout == "\(rows)|example\n", "\(stored.stdout) \(stored.stderr)")
        // The notifier's journal: the login code's notification, without the code.
        let journal = try String(contentsOfFile: directory.file("data/journal.jsonl"), encoding: .utf8)
        #expect(journal.contains(#""kind":"auth.login_code""#) && journal.contains(#""recipient":"ops@example.com""#))
        #expect(journal.range(of: #"\d{6}"#, options: .regularExpression) == nil, "no login code in the journal")

        // Its keys are checked like the platform's: a misspelt one is refused by name.
        environment["ZCPLATFORM_COLLECTORS_INVENTORY_LABLE"] = "typo"
        let refused = try await ChildProcess.output([binary], environment: environment, directory: directory.path)
        #expect(refused.status == 2)
        #expect(refused.stderrText.contains("ZCPLATFORM_COLLECTORS_INVENTORY_LABEL"), "\(refused.stderrText)")
    }
}
