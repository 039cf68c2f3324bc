internal import CSQLite
import ZCCore

/// Maps SQLite's extended result codes to the store's typed errors.
enum SQLiteError {
    static func make(code: Int32, message: String, path: String) -> StoreError {
        let primary = code & 0xFF
        switch primary {
        case SQLITE_CONSTRAINT:
            let constraint = message.split(separator: ":", maxSplits: 1).dropFirst().first
                .map { String($0).trimmingWhitespace() }
            switch code {
            case SQLITE_CONSTRAINT | (8 << 8), SQLITE_CONSTRAINT | (6 << 8):  // UNIQUE, PRIMARYKEY
                return StoreError(.uniqueViolation, "already exists", constraint: constraint)
            case SQLITE_CONSTRAINT | (3 << 8):  // FOREIGNKEY
                return StoreError(.foreignKeyViolation, "a referenced row is missing or still referenced")
            default:
                return StoreError(.constraintViolation, message, constraint: constraint)
            }
        case SQLITE_BUSY, SQLITE_LOCKED:
            return StoreError(.busy, "the database at \(path) is locked by another writer")
        case SQLITE_NOTADB:
            return StoreError(.notADatabase, "\(path) is not a SQLite database")
        case SQLITE_CORRUPT:
            return StoreError(.corrupt, "the database at \(path) is damaged: \(message)")
        case SQLITE_READONLY, SQLITE_PERM:
            return StoreError(.readOnly, "cannot write the database at \(path): \(message)")
        case SQLITE_FULL:
            return StoreError(.diskFull, "the disk holding \(path) is full")
        case SQLITE_CANTOPEN:
            return StoreError(.cannotOpen, "cannot open the database at \(path): \(message)")
        case SQLITE_INTERRUPT:
            return StoreError(.timeout, "the statement was interrupted")
        case SQLITE_IOERR:
            return StoreError(.other, "I/O error on \(path): \(message)")
        default:
            return StoreError(.other, "SQLite error \(code): \(message)")
        }
    }
}
