import Foundation
import Testing

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
