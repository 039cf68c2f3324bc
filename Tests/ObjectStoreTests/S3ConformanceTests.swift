import Foundation
import ObjectStoreConformance
import S3Objects
import TestSupport
import Testing
import ZCCore
import ZCHTTP

/// Stores on the test S3 server, each under a prefix of its own in the test bucket.
enum S3Subjects {
    static func configuration(
        _ account: S3TestServer.Account, prefix: String, secret: String? = nil, bucket: String? = nil
    ) throws -> S3Configuration {
        guard let endpoint = S3Endpoint(url: account.endpoint) else { throw S3TestServerMissing() }
        return S3Configuration(
            bucket: bucket ?? account.bucket, prefix: prefix, endpoint: endpoint, region: "us-east-1",
            accessKeyID: account.accessKeyID, secretAccessKey: secret ?? account.secretAccessKey, pathStyle: true,
            multipartThreshold: 5 << 20, partSize: 5 << 20, listPageSize: 50)
    }

    static func store(prefix: String? = nil, secret: String? = nil, bucket: String? = nil) throws -> S3ObjectStore {
        let account = try S3TestServer.requireAccount()
        let prefix = prefix ?? "zc-t-\(UUID().uuidString.prefix(8).lowercased())/"
        return try S3ObjectStore(
            configuration: configuration(account, prefix: prefix, secret: secret, bucket: bucket),
            client: HTTPClient())
    }

    /// Deletes what the store holds, then stops it.
    static func empty(_ store: S3ObjectStore) async {
        for object in (try? await store.list(prefix: "")) ?? [] {
            if let key = try? ObjectKey(object.key) { try? await store.delete(key) }
        }
        await store.shutdown()
    }
}

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
