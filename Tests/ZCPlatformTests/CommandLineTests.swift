import Foundation
import TestSupport
import Testing
import ZCCrypto
import ZCHTTP

/// The `zcplatform` binary, run as a subprocess: exit statuses, stdout, stderr, files on disk.
@Suite("zcplatform command line")
struct CommandLineTests {
    static let commands = [
        "serve", "bootstrap", "migrate", "db checkpoint", "db vacuum", "db size", "db integrity", "config check",
        "config keys", "version", "backup", "backup verify", "backup prune", "restore", "cluster status",
    ]

    func workspace() throws -> (TemporaryDirectory, CommandRunner) {
        let directory = try TemporaryDirectory("zc-cli")
        return (directory, CommandRunner(directory: directory.path))
    }

    @Test("--help on every command exits 0 and shows its usage", arguments: commands)
    func help(_ command: String) async throws {
        let (directory, cli) = try workspace()
        defer { directory.remove() }
        let result = try await cli.run(command.split(separator: " ").map(String.init) + ["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Usage: zcplatform \(command)"))
        #expect(!FileManager.default.fileExists(atPath: directory.file("data")), "help touches nothing")
    }

    @Test("top-level help lists every command")
    func topLevelHelp() async throws {
        let (directory, cli) = try workspace()
        defer { directory.remove() }
        let result = try await cli.run(["--help"])
        #expect(result.status == 0)
        for command in Self.commands { #expect(result.stdout.contains("  \(command) ")) }
    }

    @Test(
        "command-line mistakes exit 2 with one line saying what is wrong",
        arguments: [
            (["frobnicate"], "unknown command 'frobnicate'"), (["db", "shrink"], "unknown command 'db shrink'"),
            (["migrate", "--force"], "unknown option '--force'"), (["bootstrap"], "missing --admin-email EMAIL"),
            (["bootstrap", "--admin-email"], "option '--admin-email' needs a value"),
            (["version", "extra"], "unexpected argument 'extra'"),
        ])
    func usageErrors(_ arguments: [String], _ message: String) async throws {
        let (directory, cli) = try workspace()
        defer { directory.remove() }
        let result = try await cli.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderrLines.first == "zcplatform: error: \(message)")
    }

    @Test("version")
    func version() async throws {
        let (directory, cli) = try workspace()
        defer { directory.remove() }
        let result = try await cli.run(["version"])
        #expect(result.status == 0)
        #expect(result.stdoutLines.first?.hasPrefix("zcplatform ") == true)
        #expect(result.stdout.contains("sqlite 3."))
    }

    @Test("migrate creates ./data/zcplatform.db in WAL mode, then reports it up to date")
    func migrate() async throws {
        let (directory, cli) = try workspace()
        defer { directory.remove() }
        let first = try await cli.run(["migrate"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("applied migration 1"))
        let second = try await cli.run(["migrate"])
        #expect(second.stdout.contains("schema is up to date"))
        let database = directory.file("data/zcplatform.db")
        #expect(FileManager.default.fileExists(atPath: database))
        guard SQLiteShell.required() else { return }
        #expect(try await SQLiteShell.run(database, "PRAGMA journal_mode").stdout == "wal\n")
        let printed = first.stdoutLines.last?.split(separator: " ").last.map(String.init)
        #expect(
            try await SQLiteShell.run(database, "SELECT max(version) FROM schema_migrations").stdout
                == "\(printed ?? "?")\n")
    }

    @Test("rollout start, list, status, pause, resume, abort on the store; a bad option names its field")
    func rollouts() async throws {
        let (directory, cli) = try workspace()
        defer { directory.remove() }
        #expect(try await cli.run(["migrate"]).status == 0)
        let bad = try await cli.run(["rollout", "start", "--image", "zcagent-sim:next", "--canary", "-1"])
        #expect(bad.status != 0 && bad.stderr.contains("canary"), "\(bad.stderr)")
        let unknown = try await cli.run(["rollout", "start", "--image", "x:y", "--tenants", "nobody-here"])
        #expect(unknown.status != 0 && unknown.stderr.contains("tenants"), "\(unknown.stderr)")
        let started = try await cli.run([
            "rollout", "start", "--image", "zcagent-sim:next", "--canary", "10%", "--batch-size", "2",
            "--health-seconds", "5", "--pause-after-canary",
        ])
        #expect(started.status == 0, "\(started.stderr)")
        let id = try #require(started.stdoutLines.last)
        #expect(id.hasPrefix("ro-") && id.count == 15, "\(id)")
        let second = try await cli.run(["rollout", "start", "--image", "zcagent-sim:other"])
        #expect(second.status != 0 && second.stderr.contains(id), "one rollout at a time: \(second.stderr)")
        let status = try await cli.run(["rollout", "status", id])
        #expect(status.status == 0 && status.stdout.contains("pending") && status.stdout.contains("health gate 5 s"))
        #expect(try await cli.run(["rollout", "list"]).stdout.contains(id))
        let pause = try await cli.run(["rollout", "pause", id])
        #expect(pause.stdout == "\(id): paused\n", "\(pause.stdout)\(pause.stderr)")
        #expect(try await cli.run(["rollout", "resume", id]).stdout == "\(id): running\n")
        #expect(try await cli.run(["rollout", "abort", id]).stdout == "\(id): aborted\n")
        let again = try await cli.run(["rollout", "abort", id])
        #expect(again.status != 0 && again.stderr.contains("aborted"), "\(again.stderr)")
        #expect(try await cli.run(["rollout", "status", "ro-000000000000"]).status != 0)
    }

    @Test("bootstrap prints the token alone on the last line, stores only its hash, and is idempotent")
    func bootstrap() async throws {
        let (directory, cli) = try workspace()
        defer { directory.remove() }
        let first = try await cli.run(["bootstrap", "--admin-email", "Ops@Example.com"])
        #expect(first.status == 0, "\(first.stderr)")
        let token = try #require(first.stdoutLines.last)
        #expect(token.hasPrefix("zcp_") && token.count == 47)
        #expect(!first.stderr.contains(token))
        let again = try await cli.run(["bootstrap", "--admin-email", "ops@example.com"])
        #expect(again.status == 0)
        #expect(again.stdout.isEmpty, "no second token")
        #expect(again.stderr.contains("already bootstrapped"))
        let other = try await cli.run(["bootstrap", "--admin-email", "someone@example.com"])
        #expect(other.status == 1)
        #expect(other.stderrLines.last?.hasPrefix("zcplatform: error: already bootstrapped") == true)
        guard SQLiteShell.required() else { return }
        let database = directory.file("data/zcplatform.db")
        let stored = try await SQLiteShell.run(database, "SELECT lower(hex(token_hash)) FROM access_tokens").stdout
        #expect(stored == SHA256Digest.hash(token).hexString + "\n")
        let dump = try await SQLiteShell.run(database, ".dump").stdout
        #expect(!dump.contains(token), "the token itself is stored nowhere")
    }

    @Test("db size, checkpoint, vacuum and integrity on a healthy database")
    func maintenance() async throws {
        let (directory, cli) = try workspace()
        defer { directory.remove() }
        _ = try await cli.run(["bootstrap", "--admin-email", "ops@example.com"])
        let size = try await cli.run(["db", "size"])
        #expect(size.status == 0, "\(size.stderr)")
        #expect(size.stdout.contains("zcplatform.db"))
        #expect(size.stdout.contains("resource_snapshots"))
        #expect(size.stdout.contains("audit_log"))
        let checkpoint = try await cli.run(["db", "checkpoint"])
        #expect(checkpoint.status == 0)
        #expect(checkpoint.stdout.contains("checkpoint complete"))
        let vacuum = try await cli.run(["db", "vacuum"])
        #expect(vacuum.status == 0)
        #expect(vacuum.stdout.contains("vacuum complete"))
        let integrity = try await cli.run(["db", "integrity"])
        #expect(integrity.status == 0)
        #expect(integrity.stdout == "ok\n")
    }

    @Test(
        "serve: runs, stays readable by sqlite3 (WAL checkpoint works live), exits 0 on SIGTERM and SIGINT",
        arguments: [SIGTERM, SIGINT])
    func serve(_ signal: Int32) async throws {
        let (directory, cli) = try workspace()
        defer { directory.remove() }
        let server = try cli.start(
            ["serve"],
            environment: [
                "ZCPLATFORM_CLUSTER_NODE_ID": "cli-test", "ZCPLATFORM_SERVER_PORT": "0",
                "ZCPLATFORM_RUNTIME_DRIVER": "process",
            ])
        let database = directory.file("data/zcplatform.db")
        var registered = false
        // Polled with awaits, the shell run off the cooperative pool: a test that sleeps or waits on a
        // child process in place holds one of the pool's few threads, and every other test's deadlines
        // pass while it does.
        if SQLiteShell.available {
            for _ in 0..<500 where !registered {
                try await Task.sleep(for: .milliseconds(20))
                registered = (try? await SQLiteShell.run(database, "SELECT id FROM nodes").stdout) == "cli-test\n"
            }
            #expect(registered, "the node registers itself while serving")
            let mode = try await SQLiteShell.run(database, "PRAGMA journal_mode")
            #expect(mode.stdout == "wal\n")
            let checkpoint = try await SQLiteShell.run(database, "PRAGMA wal_checkpoint(TRUNCATE);")
            #expect(checkpoint.status == 0, "\(checkpoint.stderr)")
            #expect(checkpoint.stdout.hasPrefix("0|"), "checkpoint not blocked: \(checkpoint.stdout)")
        } else {
            _ = SQLiteShell.required()
            try await Task.sleep(for: .seconds(1))
        }
        // The API answers on the port it logged.
        var port: Int?
        for _ in 0..<500 where port == nil {
            try await Task.sleep(for: .milliseconds(10))
            port = server.stderrSoFar.split(separator: "\n").first { $0.contains("event=http.listening") }
                .flatMap { $0.split(separator: ":").last }.flatMap { Int($0) }
        }
        let listening = try #require(port, "serve logs http.listening with its address")
        let client = try HTTPClient()
        let health = try await client.execute(.get, .tcp(host: "127.0.0.1", port: listening), "/healthz")
        #expect(health.status == .ok)
        await client.shutdown()
        server.signal(signal)
        let result = await server.finished(timeout: 20)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("event=platform.stopping"))
        #expect(result.stderr.contains("event=platform.stopped"))
    }

    @Test("serve --demo on a fresh machine: an admin token, and the demo tenant running the simulator")
    func demo() async throws {
        let (directory, cli) = try workspace()
        defer { directory.remove() }
        // What the README's run command does on a machine without Docker: no configuration (the demo
        // chooses the process runtime itself and says so), the simulator installed beside zcplatform.
        let server = try cli.start(
            ["serve", "--demo"],
            environment: [
                "ZCPLATFORM_SERVER_PORT": "0", "ZCPLATFORM_RUNTIME_DOCKER_SOCKET": directory.file("no-docker.sock"),
                "ZCPLATFORM_RUNTIME_PORT_RANGE_START": "30100", "ZCPLATFORM_RUNTIME_PORT_RANGE_END": "30149",
            ])
        var port: Int?
        var token: String?
        for _ in 0..<1000 where port == nil || token == nil {
            try await Task.sleep(for: .milliseconds(10))
            port = server.stderrSoFar.split(separator: "\n").first { $0.contains("event=http.listening") }
                .flatMap { $0.split(separator: ":").last }.flatMap { Int($0) }
            token = server.stdoutSoFar.split(separator: "\n").first.map(String.init)
        }
        let listening = try #require(port)
        let bearer = try #require(token)
        #expect(bearer.hasPrefix("zcp_"))
        let client = try HTTPClient()
        var status = ""
        var agentPort: Int?
        for _ in 0..<300 where status != "running" {
            try await Task.sleep(for: .milliseconds(50))
            let answer = try await client.execute(
                .get, .tcp(host: "127.0.0.1", port: listening), "/api/tenants/demo/status",
                headers: ["Authorization": "Bearer \(bearer)"])
            let json = (try? JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any]) ?? [:]
            status = json["status"] as? String ?? ""
            agentPort = json["port"] as? Int
        }
        #expect(status == "running", "\(server.stderrSoFar)")
        let health = try await client.execute(.get, .tcp(host: "127.0.0.1", port: try #require(agentPort)), "/health")
        #expect(health.status == .ok)
        // No mail on a fresh machine: the demo prints login codes on stderr, outside the log.
        let requested = try await client.execute(
            .post, .tcp(host: "127.0.0.1", port: listening), "/api/auth/otp/request",
            headers: ["Content-Type": "application/json"], body: Array(#"{"email":"admin@demo.local"}"#.utf8))
        #expect(requested.status == .accepted || requested.status == .ok || requested.status == .noContent)
        var printed: Substring?
        for _ in 0..<200 where printed == nil {
            try await Task.sleep(for: .milliseconds(20))
            printed = server.stderrSoFar.split(separator: "\n").first {
                $0.hasPrefix("zcplatform: development (auth.print_login_codes): Your login code is ")
            }
        }
        let code = try #require(
            printed.flatMap { $0.split(separator: " ").first { $0.count == 7 && $0.hasSuffix(".") } })
        await client.shutdown()
        server.signal(SIGTERM)
        let result = await server.finished(timeout: 20)
        #expect(result.status == 0)
        #expect(result.stderr.contains("event=runtime.no_isolation"))
        #expect(result.stderr.contains("demo: deploying tenant 'demo'"))
        #expect(result.stderr.contains("demo: no Docker socket at"))
        #expect(result.stderr.contains("using the process runtime"))
        #expect(result.stderr.contains("demo: login codes are printed on stderr"))
        let logLines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("time=") }
        #expect(!logLines.contains { $0.contains(code.dropLast()) }, "the code is never in a log line")
        // The process runtime's agents stop with the platform.
        #expect(try await Self.probe(agentPort!) == nil)
    }

    @Test("serve as root with no Docker socket and no runtime.driver: exit 1, naming the way out")
    func rootWithoutRuntime() async throws {
        guard getuid() == 0 else {
            print("rootWithoutRuntime: skipped (runs only as root, as CI does)")
            return
        }
        let (directory, cli) = try workspace()
        defer { directory.remove() }
        let result = try await cli.run(
            ["serve"],
            environment: [
                "ZCPLATFORM_SERVER_PORT": "0", "ZCPLATFORM_RUNTIME_DOCKER_SOCKET": directory.file("no-docker.sock"),
            ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("will not fall back to the process runtime"), "\(result.stderr)")
        #expect(!result.stderr.contains("event=http.listening"))
    }

    static func probe(_ port: Int) async throws -> Int? {
        let client = try HTTPClient(configuration: HTTPClientConfiguration(connectTimeout: .seconds(1)))
        defer { Task { await client.shutdown() } }
        return try? await client.execute(.get, .tcp(host: "127.0.0.1", port: port), "/health").status.code
    }

    @Test("a file that is not a database: clear error, exit 1, file untouched")
    func notADatabase() async throws {
        let (directory, cli) = try workspace()
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.file("data"), withIntermediateDirectories: true)
        let content = Data("# my notes, not a database\n".utf8)
        try content.write(to: URL(fileURLWithPath: directory.file("data/zcplatform.db")))
        for command in [["serve"], ["migrate"], ["db", "size"], ["bootstrap", "--admin-email", "a@b.co"]] {
            let result = try await cli.run(command)
            #expect(result.status == 1, "\(command)")
            #expect(result.stderrLines.last == "zcplatform: error: ./data/zcplatform.db is not a SQLite database")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory.file("data/zcplatform.db"))) == content)
        #expect(!FileManager.default.fileExists(atPath: directory.file("data/zcplatform.db-wal")))
    }

    @Test("a damaged database: integrity and serve refuse it, exit 1, file untouched")
    func damaged() async throws {
        let (directory, cli) = try workspace()
        defer { directory.remove() }
        #expect(try await cli.run(["migrate"]).status == 0)
        #expect(try await cli.run(["db", "checkpoint"]).status == 0)
        let path = directory.file("data/zcplatform.db")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        for index in 100..<4096 { bytes[index] = 0x5A }
        try bytes.write(to: URL(fileURLWithPath: path))
        for command in [["serve"], ["db", "integrity"]] {
            let result = try await cli.run(command)
            #expect(result.status == 1, "\(command)")
            #expect(result.stderrLines.last?.contains("damaged") == true || result.stderr.contains("not a SQLite"))
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
    }

    @Test("an unwritable data directory: clear error naming it, exit 1")
    func unwritableDirectory() async throws {
        let (directory, cli) = try workspace()
        defer { directory.remove() }
        let data = directory.file("data")
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: data)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: directory.path)
        // Root ignores permissions: run as nobody then.
        let asNobody = getuid() == 0
        if asNobody, !FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") {
            Issue.record("running as root without setpriv: cannot drop privileges to test permissions")
            return
        }
        let result = try await cli.run(["migrate"], asNobody: asNobody)
        #expect(result.status == 1)
        #expect(
            result.stderrLines.last
                == "zcplatform: error: cannot write the database directory ./data: permission denied")
        #expect(!FileManager.default.fileExists(atPath: directory.file("data/zcplatform.db")))
    }

    @Test("configuration mistakes: exit 1, one line naming the key; nothing created")
    func configurationErrors() async throws {
        let (directory, cli) = try workspace()
        defer { directory.remove() }
        try Data("[server]\nport = \"eighty\"\n".utf8).write(
            to: URL(fileURLWithPath: directory.file("zcplatform.toml")))
        for command in [["serve"], ["config", "check"], ["migrate"]] {
            let result = try await cli.run(command)
            #expect(result.status == 1)
            #expect(result.stderrLines.last?.contains("server.port must be an integer from 0 to 65535") == true)
        }
        try Data("[store]\ndriver = \"mysql\"\n".utf8).write(
            to: URL(fileURLWithPath: directory.file("zcplatform.toml")))
        let driver = try await cli.run(["serve"])
        #expect(driver.status == 1)
        #expect(
            driver.stderrLines.last
                == "zcplatform: error: store.driver: unknown driver \"mysql\" (available: postgres, sqlite)")
        let variable = try await cli.run(
            ["config", "check", "--config", "/dev/null"], environment: ["ZCPLATFORM_SERVER_PROT": "1"])
        #expect(variable.status == 1)
        #expect(
            variable.stderr.contains("unknown variable ZCPLATFORM_SERVER_PROT (did you mean 'ZCPLATFORM_SERVER_PORT'?)")
        )
        let missing = try await cli.run(["serve", "--config", "nowhere.toml"])
        #expect(missing.status == 1)
        #expect(missing.stderrLines.last == "zcplatform: error: configuration file nowhere.toml does not exist")
        #expect(!FileManager.default.fileExists(atPath: directory.file("data")))
    }

    @Test("Docs/CONFIGURATION.md holds the reference table of every key, as `config keys --markdown` prints it")
    func configurationDocs() async throws {
        let (directory, cli) = try workspace()
        defer { directory.remove() }
        let result = try await cli.run(["config", "keys", "--markdown"])
        #expect(result.status == 0)
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Docs/CONFIGURATION.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        #expect(
            text.contains(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)),
            "regenerate the table: zcplatform config keys --markdown")
        #expect(result.stdout.contains("`ZCPLATFORM_SERVER_PORT`"))
        #expect(result.stdout.contains("`ZCPLATFORM_PLANS_NAME_MEMORY`"))
    }

    @Test("config check prints the effective configuration with secrets redacted")
    func configCheck() async throws {
        let (directory, cli) = try workspace()
        defer { directory.remove() }
        let result = try await cli.run(
            ["config", "check"], environment: ["ZCPLATFORM_STORE_URL": "postgres://zc:very-secret-pw@db/zc"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("[server]"))
        #expect(result.stdout.contains("port = 8080"))
        #expect(result.stdout.contains("postgres://<redacted>@db/zc"))
        #expect(!result.stdout.contains("very-secret-pw") && !result.stderr.contains("very-secret-pw"))
    }
}
