import Foundation
import S3Objects
import Testing
import ZCCore
import ZCHTTP

/// The S3 API server named by `ZC_TEST_S3_*` (`.ci/run` starts moto with `.ci/s3 start`, which checks
/// every request's signature) and the access key it made.
public enum S3TestServer {
    public struct Account: Sendable {
        public let endpoint: String
        public let bucket: String
        public let accessKeyID: String
        public let secretAccessKey: String
    }

    private static func value(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    public static var account: Account? {
        guard let endpoint = value("ZC_TEST_S3_ENDPOINT"), let bucket = value("ZC_TEST_S3_BUCKET"),
            let key = value("ZC_TEST_S3_ACCESS_KEY_ID"), let secret = value("ZC_TEST_S3_SECRET_ACCESS_KEY")
        else { return nil }
        return Account(endpoint: endpoint, bucket: bucket, accessKeyID: key, secretAccessKey: secret)
    }

    /// Run the suites when a server is configured, and always in CI, where a missing server fails them.
    public static var shouldRun: Bool {
        account != nil || ProcessInfo.processInfo.environment["CI"] == "true"
    }

    public static let skipMessage: Comment = """
        S3 suites skipped: start a server with `eval "$(.ci/s3 start /tmp/zcs3 | sed 's/^/export /')"`
        """

    public static func requireAccount() throws -> Account {
        guard let account else {
            throw S3TestServerMissing()
        }
        return account
    }
}

public struct S3TestServerMissing: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "ZC_TEST_S3_ENDPOINT is not set; in CI .ci/run must start the S3 server" }
}

/// Stores on the test S3 server, each under a prefix of its own in the test bucket.
public enum S3Subjects {
    public static func configuration(
        _ account: S3TestServer.Account, prefix: String, secret: String? = nil, bucket: String? = nil
    ) throws -> S3Configuration {
        guard let endpoint = S3Endpoint(url: account.endpoint) else { throw S3TestServerMissing() }
        return S3Configuration(
            bucket: bucket ?? account.bucket, prefix: prefix, endpoint: endpoint, region: "us-east-1",
            accessKeyID: account.accessKeyID, secretAccessKey: secret ?? account.secretAccessKey, pathStyle: true,
            multipartThreshold: 5 << 20, partSize: 5 << 20, listPageSize: 50)
    }

    public static func store(
        prefix: String? = nil, secret: String? = nil, bucket: String? = nil
    ) throws -> S3ObjectStore {
        let account = try S3TestServer.requireAccount()
        let prefix = prefix ?? "zc-t-\(UUID().uuidString.prefix(8).lowercased())/"
        return try S3ObjectStore(
            configuration: configuration(account, prefix: prefix, secret: secret, bucket: bucket),
            client: HTTPClient())
    }

    /// Deletes what the store holds, then stops it.
    public static func empty(_ store: S3ObjectStore) async {
        for object in (try? await store.list(prefix: "")) ?? [] {
            if let key = try? ObjectKey(object.key) { try? await store.delete(key) }
        }
        await store.shutdown()
    }
}
