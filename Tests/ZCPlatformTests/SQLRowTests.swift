import Testing
import ZCCore
import ZCSQL

/// Columns found by name in any order, the first of a repeated name, and a missing one named.
@Suite("SQL rows by column name")
struct SQLRowTests {
    @Test("in the selected order, out of it, repeated and missing: each name answers its first column")
    func lookups() throws {
        let columns = SQLColumns(["id", "name", "id", "status", "n"])
        let rows = (0..<3).map { index in
            SQLRow(
                columns: columns,
                values: [.text("t\(index)"), .text("N\(index)"), .text("second"), .text("running"), .integer(7)])
        }
        for (index, row) in rows.enumerated() {
            // In the selected order (the hint's path), then backwards and skipping (the dictionary's).
            #expect(try row.string("id") == "t\(index)")
            #expect(try row.string("name") == "N\(index)")
            #expect(try row.string("id") == "t\(index)", "a repeated name is its first column, hint or not")
            #expect(try row.string("status") == "running")
            #expect(try row.int("n") == 7)
            #expect(try row.string("status") == "running")
            #expect(try row.string("name") == "N\(index)")
        }
        #expect(throws: StoreError.self) { try rows[0].string("missing") }
        #expect(try rows[0].string("id") == "t0", "a failed lookup leaves the next one right")
    }
}
