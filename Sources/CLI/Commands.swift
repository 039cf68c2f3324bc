import Foundation
import ZCCore
import ZCCrypto
import ZCPlatform

/// Every command of `zcplatform`. Each loads the configuration, does one thing through ZCPlatform,
/// and returns its exit status.
enum Commands {
    static let all: [CommandSpec] =
        [
            CommandSpec(
                ["serve"], summary: "run the platform until SIGTERM or SIGINT",
                details: """
                    Opens and migrates the store, reconciles the runtime, then runs the platform's services. Logs go to
                    stderr. With --demo, a first run bootstraps a super-admin when there is none (its token is printed
                    once, alone on a line of stdout) and deploys a tenant named demo.
                    """,
                options: [
                    OptionSpec(
                        name: "demo", valueName: nil, help: "create and deploy the tenant 'demo' (and an admin)"),
                    OptionSpec(
                        name: "admin-email", valueName: "EMAIL",
                        help: "with --demo: the admin to create (admin@demo.local)"
                    ),
                ],
                run: serve),
            CommandSpec(
                ["bootstrap"], summary: "create the first super-admin and print an API token",
                details: """
                    Idempotent: with the same email again it does nothing. The token is printed once, alone on the
                    last line of stdout; only its hash is stored.
                    """,
                options: [OptionSpec(name: "admin-email", valueName: "EMAIL", help: "the super-admin's email")],
                run: bootstrap),
            CommandSpec(["migrate"], summary: "apply pending schema migrations", run: migrate),
            CommandSpec(
                ["migrate-store"], summary: "copy every table into another store and verify it (SQLite → PostgreSQL)",
                details: """
                    Each side is a SQLite file path or a postgres:// URL. The source is read in one consistent snapshot
                    and never written; stop the platform first so nothing is written after it. The target is migrated,
                    must be empty unless --force (which deletes its rows first), and is verified table by table:
                    row counts and a SHA-256 of every row. Exit 1 when anything differs.
                    """,
                options: [
                    OptionSpec(name: "from", valueName: "PATH|URL", help: "the store to copy from"),
                    OptionSpec(name: "to", valueName: "PATH|URL", help: "the store to copy into"),
                    OptionSpec(name: "force", valueName: nil, help: "replace the contents of a non-empty target"),
                ], run: migrateStore),
            CommandSpec(
                ["db", "checkpoint"], summary: "move the WAL into the database and truncate it (safe while serving)",
                run: checkpoint),
            CommandSpec(
                ["db", "vacuum"], summary: "rebuild the database to reclaim space after deletions", run: vacuum),
            CommandSpec(["db", "size"], summary: "show the database files, tables, bytes and rows", run: size),
            CommandSpec(
                ["cluster", "status"],
                summary: "show the cluster's nodes, their heartbeats, capacity and tenants, and the leader",
                run: clusterStatus),
            CommandSpec(
                ["cluster", "drain"],
                summary: "stop placing tenants on a node and move its tenants to the others, one at a time",
                options: [], arguments: ["NODE"], run: clusterDrain),
            CommandSpec(
                ["cluster", "undrain"], summary: "let a drained node take tenants again", options: [],
                arguments: ["NODE"], run: clusterUndrain),
            CommandSpec(
                ["tenant", "move"], summary: "move a tenant and its data to another node of the cluster",
                details: """
                    Records the move; the tenant's node stops the agent, sends its directory to the target (verified by
                    SHA-256), and the target starts it. Follow it with `cluster status` or the tenant's status (moving,
                    then deploying or stopped on the target).
                    """,
                options: [OptionSpec(name: "to", valueName: "NODE", help: "the node to move the tenant to")],
                arguments: ["ID"], run: tenantMove),
            CommandSpec(
                ["db", "integrity"], summary: "run a full integrity check; exit 1 when problems are found",
                run: integrity),
            CommandSpec(
                ["backup"], summary: "write a consistent backup archive of the database and the vault key",
                details: """
                    Writes DIR/zcplatform-backup-YYYY-MM-DD-HHMMSS.tar.gz (UTC) while the server keeps running: a SQLite
                    snapshot (VACUUM INTO), the vault key file and manifest.json with SHA-256 checksums. The archive
                    appears under its name only once complete and on disk. Prints its path; exit 1 on any failure.
                    """,
                options: [OptionSpec(name: "output", valueName: "DIR", help: "the directory to write the archive in")],
                run: backup),
            CommandSpec(
                ["backup", "verify"], summary: "check an archive completely without restoring it",
                options: [], arguments: ["FILE"], run: backupVerify),
            CommandSpec(
                ["backup", "prune"], summary: "delete archives older than N days, never the newest",
                options: [
                    OptionSpec(name: "output", valueName: "DIR", help: "the directory holding the archives"),
                    OptionSpec(name: "keep-days", valueName: "N", help: "days of archives to keep (1 or more)"),
                ], run: backupPrune),
            CommandSpec(
                ["restore"], summary: "replace the database and vault key with a backup's, keeping the old ones",
                details: """
                    Verifies the archive first and touches nothing when a check fails. Refuses while a server holds the
                    database unless --force. The replaced files stay beside the new ones as <name>.pre-restore-<time>;
                    an older schema is migrated forward.
                    """,
                options: [
                    OptionSpec(name: "archive", valueName: "FILE", help: "the backup archive (.tar.gz)"),
                    OptionSpec(name: "force", valueName: nil, help: "restore even while a server holds the database"),
                ], run: restore),
            CommandSpec(
                ["config", "check"], summary: "validate the configuration and print it, secrets redacted",
                run: configCheck),
            CommandSpec(
                ["config", "keys"], summary: "list every configuration key with its default and variable",
                options: [OptionSpec(name: "markdown", valueName: nil, help: "print a Markdown table")], run: configKeys
            ),
            CommandSpec(
                ["rotate-key"], summary: "add a vault key version; new secrets use it at once",
                details: """
                    Appends a key version to the vault key file; a running server picks it up within a second. Older
                    versions stay so existing secrets still open. With --rewrap, every secret is then sealed again under
                    the new version (safe while the server runs), after which old versions can be retired.
                    """,
                options: [
                    OptionSpec(name: "rewrap", valueName: nil, help: "also re-encrypt every secret under the new key")
                ],
                run: rotateKey),
            CommandSpec(
                ["vault", "status"], summary: "show the key versions and how many secrets each protects",
                run: vaultStatus),
            CommandSpec(
                ["vault", "rewrap"], summary: "re-encrypt every secret under the newest key version", run: vaultRewrap),
            CommandSpec(
                ["vault", "retire"], summary: "remove a key version no secret uses any more",
                options: [OptionSpec(name: "version", valueName: "N", help: "the key version to remove")],
                run: vaultRetire),
            CommandSpec(["version"], summary: "print the version", run: version),
        ] + rolloutCommands

    // MARK: Shared steps

    static func configuration(_ arguments: ParsedArguments) throws -> PlatformConfiguration {
        let environment = ProcessInfo.processInfo.environment
        return try ConfigurationLoader.load(
            explicitPath: arguments.value("config"), environment: environment,
            context: .detect(environment: environment))
    }

    static func logger(_ configuration: PlatformConfiguration, quiet: Bool) -> Logger {
        Logger(
            label: "zcplatform",
            minimumLevel: quiet ? max(.warning, configuration.server.logLevel) : configuration.server.logLevel,
            handler: StreamLogHandler(descriptor: 2, format: configuration.server.logFormat))
    }

    /// The server's logger: lines are written by a thread of their own, so a request never waits for stderr.
    static func serverLogger(_ configuration: PlatformConfiguration) -> (Logger, BufferedLogHandler) {
        let handler = BufferedLogHandler(descriptor: 2, format: configuration.server.logFormat)
        return (Logger(label: "zcplatform", minimumLevel: configuration.server.logLevel, handler: handler), handler)
    }

    static func withStore<R>(
        _ arguments: ParsedArguments, migrate: Bool, _ body: (any Store, PlatformConfiguration) async throws -> R
    ) async throws -> R {
        let configuration = try configuration(arguments)
        let store = try await PluginRegistry.standard.openStore(
            configuration, logger: logger(configuration, quiet: true))
        do {
            if migrate { try await store.migrate() }
            let result = try await body(store, configuration)
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }

    static func maintenance(_ store: any Store, _ command: String) throws -> any Store & StoreMaintenance {
        guard let maintainable = store as? any Store & StoreMaintenance else {
            throw CommandFailure("the \(store.driver) store does not support '\(command)'")
        }
        return maintainable
    }

    // MARK: Commands

    static func serve(_ arguments: ParsedArguments) async throws -> Int32 {
        var configuration = try configuration(arguments)
        if arguments.has("demo") { demoSettings(&configuration) }
        // Watched from the start, so that a SIGTERM while the platform opens is a clean stop, not a kill.
        let signals = Signals()
        let (logger, logHandler) = serverLogger(configuration)
        defer { logHandler.shutdown() }
        let platform = try await Platform.open(configuration, logger: logger)
        logHandler.countDrops(
            in: platform.metrics.counter(
                "zcplatform_log_lines_dropped_total",
                help: "Log lines dropped because the log's destination (stderr) fell behind."))
        logHandler.countAccessDrops(
            in: platform.metrics.counter(
                "zcplatform_access_log_dropped_total",
                help: "Access-log lines dropped, rather than slowing requests, because stderr fell behind."))
        if arguments.has("demo") {
            do {
                try await demo(platform, adminEmail: arguments.value("admin-email") ?? "admin@demo.local")
            } catch {
                await platform.close()
                throw error
            }
        }
        enum Ending: Sendable {
            case stopped
            case signal(Int32)
        }
        let ending = try await withThrowingTaskGroup(of: Ending.self) { group in
            group.addTask {
                try await platform.run()
                return .stopped
            }
            group.addTask {
                guard let number = await signals.next() else { return .stopped }
                return .signal(number)
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { return Ending.stopped }
            if case .signal(let number) = first {
                logger.notice("platform.stopping", ["signal": number == SIGTERM ? "SIGTERM" : "SIGINT"])
                group.cancelAll()
                try await group.waitForAll()
            }
            return first
        }
        _ = ending
        return 0
    }

    /// What the demo turns on where the operator set nothing, each said on stderr: the process runtime
    /// when no Docker socket exists (chosen explicitly, since as root it is never a default), and login
    /// codes printed on stderr, since a fresh machine has no mail.
    static func demoSettings(_ configuration: inout PlatformConfiguration) {
        var lines: [String] = []
        if configuration.sources["runtime.driver"] == nil, configuration.runtime.driver != "docker" {
            configuration.runtime.driver = "process"
            lines.append(
                "demo: no Docker socket at \(configuration.runtime.dockerSocket): using the process runtime (agents run as local processes of this user with no isolation; development only)"
            )
        }
        if configuration.sources["auth.print_login_codes"] == nil {
            configuration.auth.printLoginCodes = true
            lines.append(
                "demo: login codes are printed on stderr (auth.print_login_codes = true; development only, never in production)"
            )
        }
        if !lines.isEmpty { FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8)) }
    }

    /// Prepares the demo tenant and tells the operator how to reach it.
    static func demo(_ platform: Platform, adminEmail: String) async throws {
        let prepared = try await DemoTenant.prepare(platform, adminEmail: adminEmail)
        let server = platform.configuration.server
        let base = "http://\(server.host == "0.0.0.0" ? "127.0.0.1" : server.host):\(server.port)"
        var lines: [String] = []
        if let token = prepared.token {
            lines.append(
                "demo: created super-admin \(prepared.adminEmail ?? adminEmail); their API token (shown once) is on stdout"
            )
            FileHandle.standardOutput.write(Data((token.value + "\n").utf8))
        } else {
            lines.append(
                "demo: super-admin \(prepared.adminEmail ?? "?") exists; use the token bootstrap printed (or sign in by OTP)"
            )
        }
        lines.append(prepared.deploying ? "demo: deploying tenant 'demo'" : "demo: tenant 'demo' is already deployed")
        lines.append(
            "demo: TOKEN=<the token>; curl -s -H \"Authorization: Bearer $TOKEN\" \(base)/api/tenants/demo/status")
        lines.append("demo: curl -s -H \"Authorization: Bearer $TOKEN\" '\(base)/api/tenants/demo/logs?tail=20'")
        lines.append("demo: or open \(base)/ in a browser and sign in with the token (the web console)")
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }

    static func bootstrap(_ arguments: ParsedArguments) async throws -> Int32 {
        guard let email = arguments.value("admin-email") else {
            throw UsageError(message: "missing --admin-email EMAIL", command: all.first { $0.path == ["bootstrap"] })
        }
        return try await withStore(arguments, migrate: true) { store, configuration in
            _ = try await VaultAdministration.open(
                path: configuration.vaultKeyPath, store: store, logger: logger(configuration, quiet: false))
            switch try await Bootstrap.run(
                email: email, store: store, tokenLifetimeDays: configuration.auth.bootstrapTokenDays)
            {
            case .created(let user, let token):
                FileHandle.standardError.write(
                    Data(
                        "created super-admin \(user.email); the API token below is shown once (expires in \(configuration.auth.bootstrapTokenDays) days)\n"
                            .utf8))
                print(token.value)
            case .alreadyBootstrapped(let email):
                FileHandle.standardError.write(
                    Data("already bootstrapped: \(email) is a super-admin; no new token\n".utf8))
            }
            return 0
        }
    }

    static func migrate(_ arguments: ParsedArguments) async throws -> Int32 {
        try await withStore(arguments, migrate: false) { store, _ in
            let applied = try await store.migrate()
            for migration in applied { print("applied migration \(migration.version): \(migration.name)") }
            let version = try await store.schemaVersion()
            print(
                applied.isEmpty
                    ? "schema is up to date (version \(version.applied))"
                    : "schema is now at version \(version.applied)")
            return 0
        }
    }

    static func migrateStore(_ arguments: ParsedArguments) async throws -> Int32 {
        let spec = all.first { $0.path == ["migrate-store"] }
        guard let from = arguments.value("from") else {
            throw UsageError(message: "missing --from PATH|URL", command: spec)
        }
        guard let to = arguments.value("to") else { throw UsageError(message: "missing --to PATH|URL", command: spec) }
        let logger = Logger(label: "zcplatform", minimumLevel: .warning, handler: StreamLogHandler())
        print("copying \(StoreMigration.describe(from)) → \(StoreMigration.describe(to))")
        let reports = try await StoreMigration.run(
            from: from, to: to, replace: arguments.has("force"), logger: logger,
            progress: { FileHandle.standardError.write(Data("  \($0)\n".utf8)) })
        for report in reports {
            let mark = report.verified ? "ok" : "MISMATCH"
            print(
                "\(report.table.padding(toLength: 20, withPad: " ", startingAt: 0)) \(report.sourceRows) → \(report.targetRows) rows"
                    + "  sha256 \(report.sourceChecksum.prefix(16)) → \(report.targetChecksum.prefix(16))  \(mark)")
        }
        guard reports.allSatisfy(\.verified) else {
            throw CommandFailure("the copy does not match the source; the target is not safe to use")
        }
        print("verified: every table's rows and checksums match")
        return 0
    }

    static func withVault<R>(
        _ arguments: ParsedArguments, _ body: (Vault, any Store, PlatformConfiguration) async throws -> R
    ) async throws -> R {
        try await withStore(arguments, migrate: true) { store, configuration in
            let vault = try await VaultAdministration.open(
                path: configuration.vaultKeyPath, store: store, logger: logger(configuration, quiet: true))
            return try await body(vault, store, configuration)
        }
    }

    static func rotateKey(_ arguments: ParsedArguments) async throws -> Int32 {
        try await withVault(arguments) { vault, store, configuration in
            let version = try await VaultAdministration.rotate(path: configuration.vaultKeyPath, store: store)
            print("added key version \(version); new secrets are sealed with it")
            if arguments.has("rewrap") {
                let fresh = try Vault(keyFile: configuration.vaultKeyPath)
                let (rewrapped, skipped) = try await VaultAdministration.rewrap(vault: fresh, store: store)
                print(
                    "rewrapped \(rewrapped) secret(s) under key version \(version); \(skipped) already current or changed meanwhile"
                )
            } else {
                let status = try await VaultAdministration.status(
                    vault: try Vault(keyFile: configuration.vaultKeyPath), store: store)
                let older = status.versions.filter { $0.number != version }.reduce(0) { $0 + $1.secrets }
                if older > 0 {
                    print("\(older) secret(s) remain under older versions; `zcplatform vault rewrap` moves them")
                }
            }
            _ = vault
            return 0
        }
    }

    static func vaultStatus(_ arguments: ParsedArguments) async throws -> Int32 {
        try await withVault(arguments) { vault, store, configuration in
            print("key file: \(configuration.vaultKeyPath)")
            print(try await VaultAdministration.status(vault: vault, store: store).text)
            return 0
        }
    }

    static func vaultRewrap(_ arguments: ParsedArguments) async throws -> Int32 {
        try await withVault(arguments) { vault, store, _ in
            let (rewrapped, skipped) = try await VaultAdministration.rewrap(vault: vault, store: store)
            print(
                "rewrapped \(rewrapped) secret(s) under key version \(vault.versions.last?.number ?? 0); \(skipped) already current or changed meanwhile"
            )
            return 0
        }
    }

    static func vaultRetire(_ arguments: ParsedArguments) async throws -> Int32 {
        guard let text = arguments.value("version"), let version = UInt32(text) else {
            throw UsageError(message: "missing --version N", command: all.first { $0.path == ["vault", "retire"] })
        }
        return try await withVault(arguments) { vault, store, configuration in
            try await VaultAdministration.retire(
                version: version, path: configuration.vaultKeyPath, vault: vault, store: store)
            print("retired key version \(version)")
            return 0
        }
    }

    static func checkpoint(_ arguments: ParsedArguments) async throws -> Int32 {
        try await withStore(arguments, migrate: false) { store, _ in
            let result = try await maintenance(store, "db checkpoint").checkpoint()
            if result.complete {
                print(
                    "checkpoint complete: \(result.checkpointedPages) of \(result.logPages) pages moved; log truncated")
                return 0
            }
            print(
                "checkpoint partial: \(result.checkpointedPages) of \(result.logPages) pages moved; readers held the rest"
            )
            return 1
        }
    }

    static func vacuum(_ arguments: ParsedArguments) async throws -> Int32 {
        try await withStore(arguments, migrate: false) { store, _ in
            let store = try maintenance(store, "db vacuum")
            let before = try await store.sizes().reduce(Int64(0)) { $0 + $1.bytes }
            try await store.vacuum()
            _ = try? await store.checkpoint()
            let after = try await store.sizes().reduce(Int64(0)) { $0 + $1.bytes }
            print("vacuum complete: \(ByteSize.format(before)) → \(ByteSize.format(after))")
            return 0
        }
    }

    static func size(_ arguments: ParsedArguments) async throws -> Int32 {
        try await withStore(arguments, migrate: false) { store, _ in
            print(try await DatabaseReport.collect(from: try maintenance(store, "db size")).text)
            return 0
        }
    }

    static func clusterStatus(_ arguments: ParsedArguments) async throws -> Int32 {
        try await withStore(arguments, migrate: false) { store, _ in
            print(ClusterStatusTable.render(try await FleetReports.clusterNodes(in: store), now: .now()))
            return 0
        }
    }

    static func clusterDrain(_ arguments: ParsedArguments) async throws -> Int32 {
        try await setDraining(arguments, true)
    }

    static func clusterUndrain(_ arguments: ParsedArguments) async throws -> Int32 {
        try await setDraining(arguments, false)
    }

    static func setDraining(_ arguments: ParsedArguments, _ drain: Bool) async throws -> Int32 {
        guard let node = arguments.value("NODE") else {
            throw UsageError(
                message: "missing the node: zcplatform cluster \(drain ? "drain" : "undrain") NODE",
                command: command(["cluster", drain ? "drain" : "undrain"]))
        }
        return try await withStore(arguments, migrate: false) { store, _ in
            let changed = try await ClusterAdministration(store: store).setDraining(node, drain, by: .system("cli"))
            print("\(changed.id): \(changed.state.rawValue)")
            return 0
        }
    }

    static func tenantMove(_ arguments: ParsedArguments) async throws -> Int32 {
        guard let raw = arguments.value("ID"), let target = arguments.value("to") else {
            throw UsageError(
                message: "zcplatform tenant move ID --to NODE: both are needed", command: command(["tenant", "move"]))
        }
        let id = try TenantID(raw)
        return try await withStore(arguments, migrate: false) { store, configuration in
            let tenant = try await ClusterAdministration(store: store, configuration: configuration)
                .requestMove(id, to: target, actor: "cli", clientIP: nil)
            print("\(tenant.id): moving from \(tenant.nodeID ?? "-") to \(target)")
            return 0
        }
    }

    static func integrity(_ arguments: ParsedArguments) async throws -> Int32 {
        try await withStore(arguments, migrate: false) { store, _ in
            let problems = try await maintenance(store, "db integrity").integrityCheck()
            if problems.isEmpty {
                print("ok")
                return 0
            }
            for problem in problems { print(problem) }
            throw CommandFailure("the integrity check found \(problems.count) problem(s)")
        }
    }

    static func configCheck(_ arguments: ParsedArguments) async throws -> Int32 {
        let configuration = try configuration(arguments)
        let drivers = PluginRegistry.standard.storeDrivers
        guard drivers.contains(configuration.store.driver) else {
            throw ConfigurationError(
                "store.driver: unknown driver \"\(configuration.store.driver)\" (available: \(drivers.joined(separator: ", ")))"
            )
        }
        print(configuration.renderedTOML(), terminator: "")
        FileHandle.standardError.write(Data("configuration is valid\n".utf8))
        return 0
    }

    static func configKeys(_ arguments: ParsedArguments) async throws -> Int32 {
        print(arguments.has("markdown") ? ConfigurationReference.markdown() : ConfigurationReference.text())
        return 0
    }

    static func version(_ arguments: ParsedArguments) async throws -> Int32 {
        print("zcplatform \(Platform.version)")
        for library in PluginRegistry.standard.storeLibraries { print(library) }
        return 0
    }
}

/// A command that ran but did not succeed; its message is the one line on stderr.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
