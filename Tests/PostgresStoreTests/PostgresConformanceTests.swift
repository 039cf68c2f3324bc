import PostgresStore
import StoreConformance
import TestSupport
import Testing
import ZCCore

/// The shared Store conformance suite, unchanged, on a real PostgreSQL: one test per behaviour.
@Suite("PostgreSQL store conformance", .enabled(if: PostgresTestDatabase.shouldRun, PostgresTestDatabase.skipMessage))
struct PostgresConformanceTests {
    static let factory: StoreFactory = {
        let (schema, url) = try PostgresTestDatabase.makeSchema()
        let store = PostgresStore(options: PostgresTestDatabase.options(url), logger: .disabled)
        do {
            try await store.migrate()
        } catch {
            await store.close()
            PostgresTestDatabase.dropSchema(schema)
            throw error
        }
        return StoreUnderTest(store: store) {
            await store.close()
            PostgresTestDatabase.dropSchema(schema)
        }
    }

    @Test(arguments: StoreConformance.cases)
    func conformance(_ behaviour: StoreConformanceCase) async throws {
        try await behaviour.run(Self.factory)
    }
}
