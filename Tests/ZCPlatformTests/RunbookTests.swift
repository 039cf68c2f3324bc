import Foundation
import TestSupport
import Testing

/// The operations document's runbook, word for word where it can be: the real server, `curl` with a
/// Bearer token, `jq`, the `zcplatform` subcommands and the `sqlite3` maintenance lines, each result
/// checked.
@Suite("The runbook, end to end")
struct RunbookTests {
    struct Shell {
        let directory: String
        let environment: [String: String]

        /// Runs `script` with bash in the workspace, off the cooperative pool; returns status and stdout
        /// (stderr appended on failure).
        func run(_ script: String) async throws -> (status: Int32, output: String) {
            try await Blocking.run { try self.runBlocking(script) }
        }

        func runBlocking(_ script: String) throws -> (status: Int32, output: String) {
            let command = try RunningCommand(
                ["/bin/bash", "-o", "pipefail", "-c", script], environment: environment, directory: directory
            ).finish(timeout: 60)
            return (command.status, command.status == 0 ? command.stdout : command.stdout + command.stderr)
        }
    }

    static func tools() -> Bool {
        let missing = ["/usr/bin/curl", "/usr/bin/jq", "/usr/bin/sqlite3"].filter {
            !FileManager.default.isExecutableFile(atPath: $0)
        }
        guard missing.isEmpty else {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                Issue.record("the runbook needs \(missing.joined(separator: ", ")); .ci/run installs them")
            } else {
                print("skipping the runbook test: missing \(missing.joined(separator: ", "))")
            }
            return false
        }
        return true
    }

    @Test(
        "restart, logs, fleet health with jq, force-stop, exec, backup, rotate-key, checkpoint, size, vacuum, restore")
    func runbook() async throws {
        guard Self.tools() else { return }
        let directory = try TemporaryDirectory("zc-runbook")
        defer { directory.remove() }
        let cli = CommandRunner(directory: directory.path)
        let environment = [
            // The process runtime stands in for Docker here; as root its exec needs saying so.
            "ZCPLATFORM_SERVER_PORT": "0", "ZCPLATFORM_RUNTIME_DRIVER": "process",
            "ZCPLATFORM_RUNTIME_PROCESS_EXEC": "true", "ZCPLATFORM_RUNTIME_PORT_RANGE_START": "30200",
            "ZCPLATFORM_RUNTIME_PORT_RANGE_END": "30249",
            "ZCPLATFORM_RUNTIME_HEALTH_TIMEOUT_SECONDS": "5",
        ]
        let bootstrap = try await cli.run(
            detached: ["bootstrap", "--admin-email", "ops@example.com"], environment: environment)
        #expect(bootstrap.status == 0, "\(bootstrap.stderr)")
        let token = try #require(bootstrap.stdoutLines.last)
        let (server, port) = try await Self.serve(cli, environment)
        let binary = (CommandRunner.binary as NSString).deletingLastPathComponent
        let shell = Shell(
            directory: directory.path,
            environment: CommandRunner.environment(environment).merging([
                "TOKEN": token, "BASE": "http://127.0.0.1:\(port)", "PATH": "\(binary):/usr/bin:/bin",
            ]) { $1 })
        func check(_ script: String, _ expected: (String) -> Bool, _ what: String) async throws {
            let (status, output) = try await shell.run(script)
            #expect(status == 0 && expected(output), "\(what): status \(status): \(output)")
        }

        try await check(
            #"curl -sf -X POST "$BASE/api/tenants" -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" -d '{"id": "acme", "name": "Acme Corp"}' | jq -r .status"#,
            { $0.hasPrefix("draft") }, "create")
        try await check(
            #"curl -sf -X POST "$BASE/api/tenants" -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" -d '{"id": "broken", "name": "Broken"}' >/dev/null && curl -sf -X PATCH "$BASE/api/tenants/broken/config" -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" -d '{"settings": {"simulator": {"mode": "unhealthy"}}}' >/dev/null && echo ok"#,
            { $0.hasPrefix("ok") }, "a tenant that will fail")
        for id in ["acme", "broken"] {
            try await check(
                #"curl -sf -X POST "$BASE/api/tenants/\#(id)/deploy" -H "Authorization: Bearer $TOKEN" | jq -r .status"#,
                { $0.hasPrefix("deploying") }, "deploy \(id)")
        }
        try await Self.waitFor(shell, "acme", "running")
        try await Self.waitFor(shell, "broken", "error")

        // Restart a tenant.
        try await check(
            #"curl -sf -X POST "$BASE/api/tenants/acme/restart" -H "Authorization: Bearer $TOKEN" | jq -r .status"#,
            { $0.hasPrefix("running") }, "restart")
        // View tenant logs: the last 100 lines, a JSON array.
        try await check(
            #"curl -sf "$BASE/api/tenants/acme/logs?tail=100" -H "Authorization: Bearer $TOKEN" | jq 'length'"#,
            { (Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 0 }, "logs")
        // Check fleet health: only the broken tenant is listed.
        try await check(
            #"curl -sf "$BASE/api/monitoring/health" -H "Authorization: Bearer $TOKEN" | jq -r '.[] | select(.status == "error") | .tenant_id'"#,
            { $0.trimmingCharacters(in: .whitespacesAndNewlines) == "broken" }, "fleet health")
        // Run a diagnostic command.
        try await check(
            #"curl -sf -X POST "$BASE/api/tenants/acme/exec" -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" -d '{"command": "zeroclaw status"}' | jq -r '"\(.exit_code) \(.output)"'"#,
            { $0.hasPrefix("0 zeroclaw status: running") }, "exec")
        // Force-stop a stuck container.
        try await check(
            #"curl -sf -X POST "$BASE/api/tenants/acme/stop" -H "Authorization: Bearer $TOKEN" | jq -r .status"#,
            { $0.hasPrefix("stopped") }, "force-stop")
        // Backup, and its check.
        try await check(
            "mkdir -p backups && zcplatform backup --output backups/ >/dev/null && ls backups/ | grep -c '^zcplatform-backup-.*\\.tar\\.gz$'",
            { $0.hasPrefix("1") }, "backup")
        try await check(
            "zcplatform backup verify backups/zcplatform-backup-*.tar.gz", { $0.hasPrefix("ok: ") }, "verify")
        // Key rotation while serving.
        try await check("zcplatform rotate-key && zcplatform vault status", { $0.contains("2") }, "rotate-key")
        // WAL checkpoint on the live database, and its size.
        try await check(
            #"cd data && sqlite3 zcplatform.db "PRAGMA wal_checkpoint(TRUNCATE);""#, { $0.hasPrefix("0|") },
            "checkpoint")
        try await check(
            "cd data && du -sh zcplatform.db zcplatform.db-wal zcplatform.db-shm", { $0.contains("zcplatform.db") },
            "size")
        try await check(
            #"curl -sf "$BASE/api/tenants/acme/status" -H "Authorization: Bearer $TOKEN" | jq -r .status"#,
            { $0.hasPrefix("stopped") }, "still serving after the maintenance")

        // Stop the platform, reclaim space, restore, start again.
        server.signal(SIGTERM)
        #expect(await server.finished(timeout: 30).status == 0)
        try await check(
            #"cd data && sqlite3 zcplatform.db "VACUUM;" && echo vacuumed"#, { $0.hasPrefix("vacuumed") }, "vacuum")
        try await check(
            "zcplatform restore --archive backups/zcplatform-backup-*.tar.gz && ls data | grep -c pre-restore",
            { (Int($0.split(separator: "\n").last ?? "") ?? 0) >= 2 }, "restore")
        let (again, newPort) = try await Self.serve(cli, environment)
        let restarted = Shell(
            directory: directory.path,
            environment: shell.environment.merging(["BASE": "http://127.0.0.1:\(newPort)"]) { $1 })
        let (status, output) = try await restarted.run(
            #"curl -sf "$BASE/api/tenants" -H "Authorization: Bearer $TOKEN" | jq -r '.[].id' | sort | tr '\n' ' '"#)
        #expect(status == 0 && output.contains("acme broken"), "after the restore: \(output)")
        again.signal(SIGTERM)
        #expect(await again.finished(timeout: 30).status == 0)
    }

    static func serve(_ cli: CommandRunner, _ environment: [String: String]) async throws -> (RunningCommand, Int) {
        let server = try cli.start(["serve"], environment: environment)
        let port = try await server.listeningPort()
        return (server, try #require(port, "\(server.stderrSoFar)"))
    }

    static func waitFor(_ shell: Shell, _ id: String, _ status: String) async throws {
        for _ in 0..<300 {
            let (_, output) = try await shell.run(
                #"curl -s "$BASE/api/tenants/\#(id)/status" -H "Authorization: Bearer $TOKEN" | jq -r .status"#)
            if output.hasPrefix(status) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("\(id) did not reach \(status)")
    }
}
