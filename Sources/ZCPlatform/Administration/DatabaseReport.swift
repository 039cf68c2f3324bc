import ZCCore

/// What `zcplatform db size` prints: the files, each table's bytes and rows.
public struct DatabaseReport: Sendable {
    public var files: [(name: String, bytes: Int64)]
    public var tables: [(name: String, bytes: Int64)]
    public var rows: [String: Int]

    public static func collect(from store: any Store & StoreMaintenance) async throws -> DatabaseReport {
        DatabaseReport(
            files: try await store.sizes(), tables: try await store.tableSizes(),
            rows: try await store.read { try await $0.rowCounts() })
    }

    public var text: String {
        var lines: [String] = []
        let total = files.reduce(Int64(0)) { $0 + $1.bytes }
        for file in files { lines.append(Self.row(ByteSize.format(file.bytes), file.name)) }
        lines.append(Self.row(ByteSize.format(total), "total"))
        lines.append("")
        lines.append(Self.row("size", "table", "rows"))
        for table in tables {
            lines.append(Self.row(ByteSize.format(table.bytes), table.name, rows[table.name].map(String.init) ?? "-"))
        }
        return lines.joined(separator: "\n")
    }

    private static func row(_ columns: String...) -> String {
        guard let first = columns.first else { return "" }
        let padded = String(repeating: " ", count: max(0, 10 - first.count)) + first
        return
            ([padded]
            + columns.dropFirst().enumerated().map { index, value in
                index == 0 && columns.count > 2 ? value.padding(toLength: 20, withPad: " ", startingAt: 0) : value
            }).joined(separator: "  ")
    }
}
