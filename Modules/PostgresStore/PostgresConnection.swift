internal import CLibPQ
import Foundation
import ZCCore
import ZCSQL

/// One libpq connection, owned by this actor and run on its own thread (libpq calls block).
///
/// A broken connection is noticed when it is lent (`prepareForUse`) or when a statement fails; the work
/// in flight then fails with `StoreError.connectionLost` (retryable) and the next borrower reconnects.
actor PostgresConnection: SQLConnection {
    private let executor: BlockingExecutor
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    nonisolated var sessionExecutor: (any TaskExecutor)? { executor }

    let options: PostgresOptions
    private var handle: OpaquePointer?
    /// True from the moment the connection is lent until its first statement: a failure then means the
    /// server dropped an idle connection, and nothing of the borrower's work has run yet.
    private var freshlyLent = false

    init(options: PostgresOptions, number: Int) {
        self.init(options: options, label: "zcplatform.postgres.\(number)")
    }

    init(options: PostgresOptions, label: String) {
        self.options = options
        executor = BlockingExecutor(label: label)
    }

    /// Connects, or reconnects when the server dropped the connection since its last use.
    func prepareForUse() throws {
        freshlyLent = true
        if let handle {
            // Reads anything the server sent meanwhile (a termination notice, then EOF).
            if PQstatus(handle) == CONNECTION_OK, PQconsumeInput(handle) == 1, PQstatus(handle) == CONNECTION_OK,
                PQtransactionStatus(handle) == PQTRANS_IDLE
            {
                return
            }
            PQfinish(handle)
            self.handle = nil
        }
        try connect()
    }

    private func connect() throws {
        // Earlier keywords are defaults the URL may override; expand_dbname parses the URL.
        let pairs: [(String, String)] = [
            ("connect_timeout", String(options.connectTimeoutSeconds)),
            ("application_name", options.applicationName), ("client_encoding", "UTF8"),
            // A server gone silent (a cut network, a host powered off) is noticed by TCP within about
            // 30 s: keepalive probes on an idle wait, and a bound on data left unacknowledged.
            ("keepalives", "1"), ("keepalives_idle", "10"), ("keepalives_interval", "5"), ("keepalives_count", "3"),
            ("tcp_user_timeout", "30000"), ("dbname", options.url),
        ]
        let keywords = pairs.map { strdup($0.0) }
        let values = pairs.map { strdup($0.1) }
        defer {
            keywords.forEach { free($0) }
            values.forEach { free($0) }
        }
        let keywordPointers = keywords.map { UnsafePointer($0) } + [nil]
        let valuePointers = values.map { UnsafePointer($0) } + [nil]
        let connection = PQconnectdbParams(keywordPointers, valuePointers, 1)
        guard let connection, PQstatus(connection) == CONNECTION_OK else {
            let message = connection.map { String(cString: PQerrorMessage($0)) } ?? "out of memory"
            PQfinish(connection)
            throw StoreError(.connectionLost, "cannot connect to PostgreSQL: \(message.firstLine)")
        }
        handle = connection
        // Server notices ("relation … already exists, skipping") would go to stderr; they carry nothing an
        // operator needs.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        do {
            if options.statementTimeoutMilliseconds > 0 {
                try executeScript("SET statement_timeout = \(options.statementTimeoutMilliseconds)")
            }
        } catch {
            PQfinish(connection)
            handle = nil
            throw error
        }
    }

    func close() {
        if let handle { PQfinish(handle) }
        handle = nil
    }

    /// The server process serving this connection (for tests that terminate it).
    func backendPID() throws -> Int32 {
        PQbackendPID(try open())
    }

    // MARK: SQLConnection

    func query(_ sql: String, _ binds: [SQLValue]) throws -> [SQLRow] {
        let result = try run(sql, binds)
        defer { PQclear(result) }
        return rows(result)
    }

    func execute(_ sql: String, _ binds: [SQLValue]) throws -> Int {
        let result = try run(sql, binds)
        defer { PQclear(result) }
        return Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    func executeMany(_ sql: String, _ rows: [[SQLValue]]) throws -> Int {
        freshlyLent = false
        guard let first = rows.first else { return 0 }
        let db = try open()
        let types = first.map(Self.type(of:))
        let prepared = PQprepare(db, "", sql, Int32(types.count), types)
        PQclear(try check(prepared))
        var total = 0
        for binds in rows {
            let result = try withParameters(binds) { values, lengths, formats in
                PQexecPrepared(db, "", Int32(binds.count), values, lengths, formats, 0)
            }
            let checked = try check(result)
            total += Int(String(cString: PQcmdTuples(checked))) ?? 0
            PQclear(checked)
        }
        return total
    }

    func executeScript(_ sql: String) throws {
        freshlyLent = false
        let db = try open()
        PQclear(try check(PQexec(db, sql)))
    }

    // MARK: Signals

    /// Starts listening on `channel`, a name of letters, digits and underscores.
    func listen(_ channel: String) throws {
        guard !channel.isEmpty, channel.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw StoreError(.other, "a signal channel is letters, digits and underscores: \(channel)")
        }
        try executeScript("LISTEN \(channel)")
    }

    /// The payloads signalled since the last call, waiting up to `milliseconds` for the first; empty when
    /// none came. Throws `connectionLost` when the server went away.
    func receiveSignals(waitingUpTo milliseconds: Int32) throws -> [String] {
        let db = try open()
        var payloads = Self.drainSignals(db)
        guard payloads.isEmpty else { return payloads }
        let socket = PQsocket(db)
        guard socket >= 0 else { throw PostgresError.lost("the listening connection has no socket") }
        var waiting = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        if poll(&waiting, 1, milliseconds) > 0 {
            guard PQconsumeInput(db) == 1 else { throw PostgresError.lost(String(cString: PQerrorMessage(db))) }
            payloads = Self.drainSignals(db)
        }
        guard PQstatus(db) == CONNECTION_OK else { throw PostgresError.lost(String(cString: PQerrorMessage(db))) }
        return payloads
    }

    private static func drainSignals(_ db: OpaquePointer) -> [String] {
        var payloads: [String] = []
        while let signal = PQnotifies(db) {
            payloads.append(String(cString: signal.pointee.extra))
            PQfreemem(signal)
        }
        return payloads
    }

    // MARK: Internals

    private func open() throws -> OpaquePointer {
        guard let handle else { throw StoreError(.connectionLost, "not connected to PostgreSQL") }
        return handle
    }

    private func run(_ sql: String, _ binds: [SQLValue]) throws -> OpaquePointer {
        let retryable = freshlyLent
        freshlyLent = false
        do {
            return try runOnce(sql, binds)
        } catch let error as StoreError where retryable && error.kind == .connectionLost {
            // The server dropped this idle connection (a restart, an administrator): reconnect and run the
            // borrower's first statement again; nothing else of its work ran on the dead connection.
            if let handle { PQfinish(handle) }
            handle = nil
            try connect()
            return try runOnce(sql, binds)
        }
    }

    private func runOnce(_ sql: String, _ binds: [SQLValue]) throws -> OpaquePointer {
        let db = try open()
        let types = binds.map(Self.type(of:))
        let result = try withParameters(binds) { values, lengths, formats in
            PQexecParams(db, sql, Int32(binds.count), types, values, lengths, formats, 0)
        }
        return try check(result)
    }

    /// Integers, reals and bytes are sent with their type; text and NULL let the server infer it from
    /// the statement (so text works for any column, and NULL takes its column's type).
    static func type(of value: SQLValue) -> Oid {
        switch value {
        case .integer: PostgresValue.int8
        case .real: PostgresValue.float8
        case .blob: PostgresValue.bytea
        case .text, .null: 0
        }
    }

    private func withParameters(
        _ binds: [SQLValue],
        _ body: ([UnsafePointer<CChar>?], [Int32], [Int32]) -> OpaquePointer?
    ) throws -> OpaquePointer? {
        var buffers: [UnsafeMutablePointer<UInt8>?] = []
        var lengths: [Int32] = []
        var formats: [Int32] = []
        defer { buffers.forEach { $0?.deallocate() } }
        for value in binds {
            let (bytes, binary) = PostgresValue.encode(value)
            if let bytes {
                let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, bytes.count))
                buffer.initialize(from: bytes, count: bytes.count)
                buffers.append(buffer)
                lengths.append(Int32(bytes.count))
            } else {
                buffers.append(nil)
                lengths.append(0)
            }
            formats.append(binary ? 1 : 0)
        }
        let pointers = buffers.map { $0.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) } }
        return body(pointers, lengths, formats)
    }

    /// Returns the result when the statement succeeded; otherwise clears it and throws the typed error.
    private func check(_ result: OpaquePointer?) throws -> OpaquePointer {
        guard let result else {
            throw failure(message: handle.map { String(cString: PQerrorMessage($0)) } ?? "no connection")
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return result
        default:
            let message = PostgresError.primaryMessage(result)
            let state = PostgresError.field(result, ZC_PG_DIAG_SQLSTATE)
            let constraint = PostgresError.field(result, ZC_PG_DIAG_CONSTRAINT_NAME)
            PQclear(result)
            if let handle, PQstatus(handle) != CONNECTION_OK { throw PostgresError.lost(message) }
            guard let state else { throw failure(message: message) }
            return try Self.raise(PostgresError.make(sqlState: state, message: message, constraint: constraint))
        }
    }

    private static func raise(_ error: StoreError) throws -> OpaquePointer { throw error }

    private func failure(message: String) -> StoreError {
        if let handle, PQstatus(handle) == CONNECTION_OK {
            return StoreError(.other, "PostgreSQL: \(message.firstLine)")
        }
        return PostgresError.lost(message)
    }

    private func rows(_ result: OpaquePointer) -> [SQLRow] {
        let count = PQntuples(result)
        let width = PQnfields(result)
        guard count > 0 else { return [] }
        let columns = SQLColumns((0..<width).map { String(cString: PQfname(result, $0)) })
        let types = (0..<width).map { PQftype(result, $0) }
        var rows: [SQLRow] = []
        rows.reserveCapacity(Int(count))
        for row in 0..<count {
            var values: [SQLValue] = []
            values.reserveCapacity(Int(width))
            for column in 0..<width {
                if PQgetisnull(result, row, column) == 1 {
                    values.append(.null)
                    continue
                }
                guard let cell = PQgetvalue(result, row, column) else {
                    values.append(.null)
                    continue
                }
                let length = Int(PQgetlength(result, row, column))
                let bytes = UnsafeBufferPointer(
                    start: UnsafeRawPointer(cell).assumingMemoryBound(to: UInt8.self), count: length)
                values.append(PostgresValue.decode(bytes, type: types[Int(column)]))
            }
            rows.append(SQLRow(columns: columns, values: values))
        }
        return rows
    }
}
