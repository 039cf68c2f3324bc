import Foundation
import S3Objects
import TestSupport
import Testing
import ZCCore
import ZCHTTP

@Suite("S3 driver: signatures, refusals, addresses")
struct S3ObjectStoreTests {
    /// AWS's published example of a signed GET (the S3 API reference, "Signature calculation: GET Object").
    @Test("Signature Version 4 matches AWS's published examples")
    func publishedExamples() throws {
        let signer = SignatureV4(
            accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            region: "us-east-1")
        let date = Date(timeIntervalSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z
        let object = try signer.sign(
            method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt", query: [],
            headers: [("Range", "bytes=0-9")], payloadHash: SignatureV4.emptyPayloadHash, date: date)
        let authorization = object.first { $0.0 == "Authorization" }?.1
        #expect(
            authorization
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        )
        let list = try signer.sign(
            method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/",
            query: [("prefix", "J"), ("max-keys", "2")], headers: [], payloadHash: SignatureV4.emptyPayloadHash,
            date: date)
        #expect(
            list.first { $0.0 == "Authorization" }?.1.hasSuffix(
                "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7") == true)
        #expect(object.contains { $0.0 == "x-amz-date" && $0.1 == "20130524T000000Z" })
        #expect(!object.contains { $0.1.contains("wJalrXUtnFEMI") })
    }

    @Test("URI encoding: unreserved characters stay, everything else is %XX, / only where kept")
    func encoding() {
        #expect(SignatureV4.encode("a-b_c.d~e") == "a-b_c.d~e")
        #expect(SignatureV4.encode("a b/c=d+e") == "a%20b%2Fc%3Dd%2Be")
        #expect(SignatureV4.encode("a b/c", keepSlash: true) == "a%20b/c")
        #expect(SignatureV4.encode("é") == "%C3%A9")
        #expect(SignatureV4.canonicalQuery([("uploads", ""), ("b", "2"), ("a", "x y")]) == "a=x%20y&b=2&uploads=")
    }

    @Test("endpoints: http and https with and without ports; anything else refused")
    func endpoints() {
        #expect(S3Endpoint(url: "http://127.0.0.1:9000") == S3Endpoint(secure: false, host: "127.0.0.1", port: 9000))
        #expect(S3Endpoint(url: "https://s3.eu-west-1.amazonaws.com/")?.port == 443)
        #expect(S3Endpoint(url: "http://minio")?.port == 80)
        #expect(S3Endpoint(url: "http://[::1]:9000")?.host == "::1")
        for bad in ["127.0.0.1:9000", "ftp://x", "http://", "http://h:0", "http://h:99999", "http://u@h", "http://h/p"]
        {
            #expect(S3Endpoint(url: bad) == nil, "\(bad)")
        }
        #expect(S3Configuration.isValidBucket("zcplatform-backups"))
        for bad in ["ab", "Upper", "-start", "end-", "under_score", String(repeating: "a", count: 64)] {
            #expect(!S3Configuration.isValidBucket(bad), "\(bad)")
        }
    }

    @Test(
        "a wrong secret is refused by the server (SignatureDoesNotMatch), and the error holds no secret",
        .enabled(if: S3TestServer.shouldRun, S3TestServer.skipMessage))
    func wrongSecret() async throws {
        let secret = "wrong-secret-\(UUID().uuidString)"
        let store = try S3Subjects.store(secret: secret)
        do {
            try await store.put(ObjectKey("refused"), bytes: [1, 2, 3])
            Issue.record("a put signed with a wrong secret was accepted")
        } catch let error as ObjectStoreError {
            #expect(error.kind == .refused)
            #expect("\(error)".contains("SignatureDoesNotMatch"))
            #expect(!"\(error)".contains(secret))
            #expect(!"\(error)".contains("Signature="))
        }
        do {
            _ = try await store.list(prefix: "")
            Issue.record("a list signed with a wrong secret was accepted")
        } catch let error as ObjectStoreError {
            #expect(error.kind == .refused)
        }
        await store.shutdown()
    }

    @Test(
        "a bucket that does not exist is missingContainer; a server that is not there is unavailable, tried again",
        .enabled(if: S3TestServer.shouldRun, S3TestServer.skipMessage))
    func missingBucketAndServer() async throws {
        let store = try S3Subjects.store(bucket: "zc-no-such-bucket")
        do {
            try await store.put(ObjectKey("x"), bytes: [1])
            Issue.record("a put to a missing bucket succeeded")
        } catch let error as ObjectStoreError {
            #expect(error.kind == .missingContainer, "\(error)")
        }
        await store.shutdown()
        let account = try S3TestServer.requireAccount()
        var configuration = try S3Subjects.configuration(account, prefix: "")
        configuration.endpoint = S3Endpoint(secure: false, host: "127.0.0.1", port: 1)
        let nowhere = try S3ObjectStore(configuration: configuration, client: HTTPClient())
        do {
            _ = try await nowhere.head(ObjectKey("x"))
            Issue.record("a server on port 1 answered")
        } catch let error as ObjectStoreError {
            #expect(error.kind == .unavailable, "\(error)")
        }
        #expect(nowhere.retriedRequests == configuration.attempts - 1)
        await nowhere.shutdown()
    }
}
