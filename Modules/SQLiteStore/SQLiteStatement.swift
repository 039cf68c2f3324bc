internal import CSQLite
import ZCCore
import ZCSQL

/// One prepared statement. Owned by its connection's actor and finalized when released.
final class SQLiteStatement {
    let handle: OpaquePointer
    let columns: SQLColumns

    init(handle: OpaquePointer) {
        self.handle = handle
        let count = sqlite3_column_count(handle)
        columns = SQLColumns(
            (0..<count).map { index in sqlite3_column_name(handle, index).map { String(cString: $0) } ?? "" })
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Binds `values` to placeholders 1…n; returns SQLite's code of the first failure, or SQLITE_OK.
    func bind(_ values: [SQLValue]) -> Int32 {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .null:
                code = sqlite3_bind_null(handle, index)
            case .integer(let number):
                code = sqlite3_bind_int64(handle, index, number)
            case .real(let number):
                code = sqlite3_bind_double(handle, index, number)
            case .text(let text):
                var text = text
                code = text.withUTF8 { bytes in
                    sqlite3_bind_text(
                        handle, index, UnsafeRawPointer(bytes.baseAddress)?.assumingMemoryBound(to: CChar.self),
                        Int32(bytes.count), zc_sqlite_transient())
                }
            case .blob(let bytes):
                if bytes.isEmpty {
                    code = sqlite3_bind_zeroblob(handle, index, 0)
                } else {
                    code = bytes.withUnsafeBytes { buffer in
                        sqlite3_bind_blob(handle, index, buffer.baseAddress, Int32(buffer.count), zc_sqlite_transient())
                    }
                }
            }
            guard code == SQLITE_OK else { return code }
        }
        return SQLITE_OK
    }

    /// The current row's values.
    func row() -> SQLRow {
        let count = Int32(columns.names.count)
        var values: [SQLValue] = []
        values.reserveCapacity(Int(count))
        for index in 0..<count {
            switch sqlite3_column_type(handle, index) {
            case SQLITE_INTEGER:
                values.append(.integer(sqlite3_column_int64(handle, index)))
            case SQLITE_FLOAT:
                values.append(.real(sqlite3_column_double(handle, index)))
            case SQLITE_TEXT:
                let length = Int(sqlite3_column_bytes(handle, index))
                if let pointer = sqlite3_column_text(handle, index) {
                    values.append(
                        .text(String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)))
                } else {
                    values.append(.text(""))
                }
            case SQLITE_BLOB:
                let length = Int(sqlite3_column_bytes(handle, index))
                if let pointer = sqlite3_column_blob(handle, index), length > 0 {
                    values.append(.blob(Array(UnsafeRawBufferPointer(start: pointer, count: length))))
                } else {
                    values.append(.blob([]))
                }
            default:
                values.append(.null)
            }
        }
        return SQLRow(columns: columns, values: values)
    }
}
