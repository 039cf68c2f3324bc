internal import CLibPQ
import ZCCore

/// Maps PostgreSQL's SQLSTATE codes to the store's typed errors. Only the primary message is used: the
/// DETAIL field can quote row values (`Key (email)=(…) already exists`) and is never read.
enum PostgresError {
    static func make(sqlState: String, message: String, constraint: String?) -> StoreError {
        switch sqlState {
        case "23505": return StoreError(.uniqueViolation, "already exists", constraint: constraint)
        case "23503":
            return StoreError(
                .foreignKeyViolation, "a referenced row is missing or still referenced", constraint: constraint)
        case "23502", "23514", "23P01", "22001", "22003", "22021", "22P05":
            return StoreError(.constraintViolation, message, constraint: constraint)
        case "40001", "40P01": return StoreError(.serializationFailure, "concurrent transactions conflicted; retry")
        case "57014": return StoreError(.timeout, "the statement ran past store.statement_timeout_ms")
        case "53100": return StoreError(.diskFull, "the PostgreSQL server's disk is full")
        case "25006": return StoreError(.readOnly, "the PostgreSQL server is read-only: \(message)")
        case "3D000", "28000", "28P01", "42501":
            return StoreError(.cannotOpen, "PostgreSQL refused access: \(message)")
        case "XX001", "XX002": return StoreError(.corrupt, "PostgreSQL reports damaged data: \(message)")
        default:
            if sqlState.hasPrefix("08") || sqlState.hasPrefix("57P") {
                return lost(message)
            }
            return StoreError(.other, "PostgreSQL error \(sqlState): \(message)")
        }
    }

    /// The connection broke: the work in flight failed, and may be retried once the pool reconnects.
    static func lost(_ message: String) -> StoreError {
        StoreError(.connectionLost, "the connection to PostgreSQL was lost (\(message.firstLine)); retry")
    }

    /// The message of a result, without the DETAIL and HINT lines that may quote values.
    static func primaryMessage(_ result: OpaquePointer) -> String {
        field(result, ZC_PG_DIAG_MESSAGE_PRIMARY) ?? "unknown error"
    }

    static func field(_ result: OpaquePointer, _ code: Int32) -> String? {
        PQresultErrorField(result, code).map { String(cString: $0) }
    }
}

extension String {
    var firstLine: String {
        String(split(separator: "\n", maxSplits: 1).first ?? "").trimmingWhitespace()
    }
}
