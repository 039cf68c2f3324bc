import SQLiteStore
import StoreConformance
import TestSupport
import Testing
import ZCCore

/// The shared Store conformance suite, on SQLite: one test per behaviour.
@Suite("SQLite store conformance")
struct SQLiteConformanceTests {
    static let factory: StoreFactory = {
        let directory = try TemporaryDirectory("zc-conformance")
        let store = try SQLiteStore(options: SQLiteOptions(path: directory.file("zcplatform.db")), logger: .disabled)
        try await store.migrate()
        return StoreUnderTest(store: store) {
            await store.close()
            directory.remove()
        }
    }

    @Test(arguments: StoreConformance.cases)
    func conformance(_ behaviour: StoreConformanceCase) async throws {
        try await behaviour.run(Self.factory)
    }
}
