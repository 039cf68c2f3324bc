import Foundation
import PostgresStore
import SQLiteStore
import Synchronization
import TestSupport
import Testing
import ZCCore
import ZCHTTP

@testable import ZCPlatform

/// Parallel login attempts on both stores: the limits and a code's guesses are checked and recorded in
/// one transaction under a lock, so on PostgreSQL's READ COMMITTED as on SQLite no more are counted
/// than configured, however many arrive at once.
@Suite("Login attempts raced on both stores")
struct LoginRaceTests {
    enum Kind: String, CaseIterable, Sendable {
        case sqlite, postgres
    }

    static let email = "victim@example.com"

    /// A migrated store of `kind` holding one user, for the duration of `body`.
    static func withStore(_ kind: Kind, _ body: (any Store) async throws -> Void) async throws {
        switch kind {
        case .sqlite:
            let directory = try TemporaryDirectory("zc-login")
            defer { directory.remove() }
            let store = try SQLiteStore(
                options: SQLiteOptions(path: directory.file("zcplatform.db")), logger: .disabled)
            try await prepare(store)
            do { try await body(store) } catch {
                await store.close()
                throw error
            }
            await store.close()
        case .postgres:
            guard PostgresTestDatabase.shouldRun else {
                print("LoginRaceTests on PostgreSQL: \(PostgresTestDatabase.skipMessage)")
                return
            }
            let (schema, url) = try PostgresTestDatabase.makeSchema()
            defer { PostgresTestDatabase.dropSchema(schema) }
            let store = PostgresStore(
                options: PostgresOptions(
                    url: url, poolSize: 16, statementTimeoutMilliseconds: 30_000, applicationName: "zc-login-race"),
                logger: .disabled)
            try await prepare(store)
            do { try await body(store) } catch {
                await store.close()
                throw error
            }
            await store.close()
        }
    }

    static func prepare(_ store: any Store) async throws {
        try await store.migrate()
        _ = try await store.withTransaction { try await $0.insertUser(try NewUser(email: email, createdAt: .now())) }
    }

    static func settings(
        emailAttempts: Int = 1000, clientAttempts: Int = 1000, globalAttempts: Int = 10_000, guesses: Int = 5
    ) throws -> PlatformConfiguration.Auth {
        var settings = try PlatformConfiguration.defaults(
            context: ConfigurationContext(
                dockerSocketExists: false, zeroclawOnPath: false, executableDirectory: "/", hostName: "t")
        ).auth
        settings.otpMaxAttempts = emailAttempts
        settings.clientMaxAttempts = clientAttempts
        settings.globalMaxAttempts = globalAttempts
        settings.otpMaxGuesses = guesses
        return settings
    }

    /// Fires `count` verifications at once; returns their HTTP statuses (200 for a session).
    static func race(
        _ auth: AuthService, count: Int, code: @escaping @Sendable (Int) -> String,
        clientIP: @escaping @Sendable (Int) -> String = { _ in "192.0.2.10" }
    ) async -> [Int] {
        await withTaskGroup(of: Int.self) { group in
            for index in 0..<count {
                group.addTask {
                    do {
                        _ = try await auth.verify(email: email, code: code(index), clientIP: clientIP(index))
                        return 200
                    } catch let error as any PublicError {
                        return FailureResponses.status(of: error.failureKind).code
                    } catch {
                        return 500
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test(
        "50 parallel wrong guesses at one code: at most otp_max_guesses counted, the code dead after",
        arguments: Kind.allCases)
    func guessesAtOneCode(_ kind: Kind) async throws {
        try await Self.withStore(kind) { store in
            let notifier = CapturingNotifier()
            let auth = AuthService(store: store, notifier: notifier, settings: try Self.settings(), logger: .disabled)
            try await auth.requestCode(email: Self.email, clientIP: "192.0.2.10")
            let right = try #require(notifier.code(for: Self.email))
            let wrong = right == "000000" ? "111111" : "000000"
            let statuses = await Self.race(auth, count: 50, code: { _ in wrong })
            #expect(statuses.allSatisfy { $0 == 401 }, "\(statuses)")
            let failures = try await store.read { reader in
                try await reader.auditEvents(AuditQuery(action: "auth.login_failed", limit: 100))
            }.events
            let reasons = failures.compactMap { $0.detail["reason"] }
            #expect(reasons.filter { $0 == "wrong code" }.count == 5, "wrong guesses counted: \(reasons)")
            // The code is dead: consumed after its fifth wrong guess, so the right one fails too.
            #expect(try await store.read { try await $0.activeLoginCode(email: Self.email, at: .now()) } == nil)
            await #expect(throws: Failure.self) {
                _ = try await auth.verify(email: Self.email, code: right, clientIP: "192.0.2.10")
            }
        }
    }

    @Test(
        "50 parallel attempts for one email: at most otp_max_attempts recorded, one refusal audited",
        arguments: Kind.allCases)
    func perEmailLimit(_ kind: Kind) async throws {
        try await Self.withStore(kind) { store in
            let auth = AuthService(
                store: store, notifier: CapturingNotifier(), settings: try Self.settings(emailAttempts: 5),
                logger: .disabled)
            let statuses = await Self.race(auth, count: 50, code: { _ in "123456" }, clientIP: { "192.0.2.\($0)" })
            #expect(statuses.filter { $0 == 401 }.count == 5, "\(statuses)")
            #expect(statuses.filter { $0 == 429 }.count == 45, "\(statuses)")
            let counts = try await store.read {
                try await $0.authAttemptCounts(email: Self.email, clientIP: "-", since: Timestamp(seconds: 0))
            }
            #expect(counts.email == 5, "recorded: \(counts)")
            let limited = try await store.read {
                try await $0.auditEvents(AuditQuery(action: "auth.rate_limited", limit: 100))
            }
            #expect(limited.events.count == 1, "the first refusal of the window is audited, the rest only counted")
        }
    }

    @Test("per client address and for everyone: the limits hold under a parallel flood", arguments: Kind.allCases)
    func clientAndGlobalLimits(_ kind: Kind) async throws {
        try await Self.withStore(kind) { store in
            let client = AuthService(
                store: store, notifier: CapturingNotifier(), settings: try Self.settings(clientAttempts: 7),
                logger: .disabled)
            let fromOne = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        do {
                            try await client.requestCode(email: "u\(index)@example.com", clientIP: "198.51.100.7")
                            return true
                        } catch {
                            return false
                        }
                    }
                }
                return await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
            }
            #expect(fromOne == 7, "one address: \(fromOne) requests admitted")

            let everyone = AuthService(
                store: store, notifier: CapturingNotifier(), settings: try Self.settings(globalAttempts: 20),
                logger: .disabled)
            let fromMany = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<60 {
                    group.addTask {
                        do {
                            try await everyone.requestCode(
                                email: "v\(index)@example.com", clientIP: "203.0.113.\(index)")
                            return true
                        } catch {
                            return false
                        }
                    }
                }
                return await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
            }
            #expect(fromMany == 20 - 7, "everyone together: \(fromMany) more admitted (7 were before)")
            let rows = try await store.read { try await $0.rowCounts() }
            #expect(rows["auth_attempts"] == 20)
            #expect((rows["auth_limits"] ?? 0) <= 3, "refusals make no row per attempt: \(rows)")
        }
    }

    @Test("retention prunes login codes, attempts and limit rows")
    func retention() async throws {
        try await Self.withStore(.sqlite) { store in
            let auth = AuthService(
                store: store, notifier: CapturingNotifier(), settings: try Self.settings(), logger: .disabled)
            let past = Timestamp.now().adding(seconds: -3 * 86_400)
            try await auth.requestCode(email: Self.email, clientIP: "192.0.2.1", now: past)
            let configuration = try PlatformConfiguration.defaults(
                context: ConfigurationContext(
                    dockerSocketExists: false, zeroclawOnPath: false, executableDirectory: "/", hostName: "t"))
            let rules = RetentionService.rules(for: configuration)
            for table in [RetentionTable.loginCodes, .authAttempts, .authLimits] {
                #expect(rules.contains { $0.table == table }, "\(table) has a retention rule")
            }
            let service = RetentionService(
                store: store, rules: rules, interval: .seconds(3600), batchRows: 100, logger: .disabled)
            let deleted = await service.pruneOnce(now: .now())
            #expect(deleted[.loginCodes] == 1 && deleted[.authAttempts] == 1 && deleted[.authLimits] == 1, "\(deleted)")
        }
    }
}
