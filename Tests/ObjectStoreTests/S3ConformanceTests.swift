import Foundation
import ObjectStoreConformance
import S3Objects
import TestSupport
import Testing
import ZCCore
import ZCHTTP

/// The shared object store conformance suite, unchanged, on a real S3 API server that checks signatures.
@Suite("Object store conformance: S3", .enabled(if: S3TestServer.shouldRun, S3TestServer.skipMessage))
struct S3ConformanceTests {
    @Test(arguments: ObjectStoreConformance.cases)
    func conformance(_ behaviour: ObjectStoreConformanceCase) async throws {
        try await behaviour.run {
            let store = try S3Subjects.store()
            return ObjectStoreUnderTest(store: store) { await S3Subjects.empty(store) }
        }
    }
}
