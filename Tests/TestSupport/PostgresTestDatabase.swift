import CLibPQ
import Foundation
import PostgresStore
import Testing
import ZCCore

/// The test server named by `ZC_TEST_POSTGRES_URL` (`.ci/run` starts one with `.ci/postgres start`).
/// Each store under test gets a schema of its own, dropped afterwards, so cases run side by side.
public enum PostgresTestDatabase {
    public static let variable = "ZC_TEST_POSTGRES_URL"

    public static var url: String? {
        ProcessInfo.processInfo.environment[variable].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Run the suites when a server is configured, and always in CI, where a missing server fails them.
    public static var shouldRun: Bool {
        url != nil || ProcessInfo.processInfo.environment["CI"] == "true"
    }

    public static let skipMessage: Comment = """
        PostgreSQL suites skipped: set ZC_TEST_POSTGRES_URL (e.g. `export ZC_TEST_POSTGRES_URL=$(.ci/postgres start /tmp/zcpg)`)
        """

    public static func requireURL() throws -> String {
        guard let url else {
            throw StoreError(.cannotOpen, "ZC_TEST_POSTGRES_URL is not set; in CI .ci/run must start PostgreSQL")
        }
        return url
    }

    /// A new schema, and the URL whose connections use it.
    public static func makeSchema(on server: String? = nil) throws -> (schema: String, url: String) {
        let base = try server ?? requireURL()
        let schema = "zc_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        try execute(base, "CREATE SCHEMA \(schema)")
        let separator = base.contains("?") ? "&" : "?"
        return (schema, base + separator + "options=-csearch_path%3D\(schema)")
    }

    public static func dropSchema(_ schema: String, on server: String? = nil) {
        guard let base = server ?? url else { return }
        try? execute(base, "DROP SCHEMA IF EXISTS \(schema) CASCADE")
    }

    /// Runs SQL on a fresh connection of its own (an administrator's psql).
    public static func execute(_ url: String, _ sql: String) throws {
        let connection = PQconnectdb(url)
        defer { PQfinish(connection) }
        guard PQstatus(connection) == CONNECTION_OK else {
            throw StoreError(.cannotOpen, String(cString: PQerrorMessage(connection)))
        }
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        let result = PQexec(connection, sql)
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            throw StoreError(.other, String(cString: PQresultErrorMessage(result)))
        }
    }

    public static func options(_ url: String, application: String = "zcplatform-test") -> PostgresOptions {
        PostgresOptions(url: url, poolSize: 4, statementTimeoutMilliseconds: 30_000, applicationName: application)
    }
}

/// Holds the row locks of `sql` in an open transaction on a connection of its own until released.
public final class RowLockHolder: @unchecked Sendable {
    private let connection: OpaquePointer?
    private var released = false

    public init(url: String, sql: String) throws {
        connection = PQconnectdb(url)
        guard PQstatus(connection) == CONNECTION_OK else {
            PQfinish(connection)
            throw StoreError(.cannotOpen, "lock holder cannot connect")
        }
        for statement in ["BEGIN", sql] {
            let result = PQexec(connection, statement)
            let status = PQresultStatus(result)
            PQclear(result)
            guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
                PQfinish(connection)
                throw StoreError(.other, "lock holder failed on \(statement)")
            }
        }
    }

    /// Rolls back and disconnects; safe to call twice.
    public func release() {
        guard !released else { return }
        released = true
        PQclear(PQexec(connection, "ROLLBACK"))
        PQfinish(connection)
    }
}
