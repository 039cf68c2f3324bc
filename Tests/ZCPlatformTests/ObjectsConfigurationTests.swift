import Foundation
import S3Objects
import TestSupport
import Testing
import ZCCore

@testable import ZCPlatform

/// `objects.*` and `backup.destination` in the forms an operator writes, and what is refused at start,
/// naming the key.
@Suite("Configuration: objects and backup.destination")
struct ObjectsConfigurationTests {
    func load(_ environment: [String: String]) throws -> PlatformConfiguration {
        try ConfigurationLoader.load(
            explicitPath: nil, environment: environment, context: ConfigurationTests.noDocker,
            workingDirectory: "/nonexistent")
    }

    @Test(
        "object locations: s3 with and without a prefix, file URLs; spaces and an upper-case scheme taken",
        arguments: [
            ("s3://zc-backups", "s3://zc-backups/"), ("s3://zc-backups/", "s3://zc-backups/"),
            ("s3://zc-backups/fleet/eu", "s3://zc-backups/fleet/eu/"), (" S3://zc-backups/a/ ", "s3://zc-backups/a/"),
            ("file:///mnt/snapshots", "file:///mnt/snapshots"), ("file:///mnt/snapshots/", "file:///mnt/snapshots"),
        ])
    func accepted(written: String, kept: String) throws {
        let configuration = try load(["ZCPLATFORM_OBJECTS_URL": written])
        #expect(configuration.objects.location?.description == kept)
    }

    @Test(
        "refused at start, naming the key",
        arguments: [
            ("ZCPLATFORM_OBJECTS_URL", "zc-backups", "objects.url"),
            ("ZCPLATFORM_OBJECTS_URL", "s3://ZC_Backups/", "objects.url"),
            ("ZCPLATFORM_OBJECTS_URL", "s3://zc-backups/a b/", "objects.url"),
            ("ZCPLATFORM_OBJECTS_URL", "file://relative/path", "objects.url"),
            ("ZCPLATFORM_OBJECTS_URL", "https://s3.amazonaws.com/zc", "objects.url"),
            ("ZCPLATFORM_OBJECTS_ENDPOINT", "minio:9000", "objects.endpoint"),
            ("ZCPLATFORM_OBJECTS_ENDPOINT", "http://minio:9000/bucket", "objects.endpoint"),
            ("ZCPLATFORM_OBJECTS_ENDPOINT", "http://user@minio:9000", "objects.endpoint"),
            ("ZCPLATFORM_OBJECTS_REGION", "eu west", "objects.region"),
            ("ZCPLATFORM_OBJECTS_ADDRESSING", "dns", "objects.addressing"),
            ("ZCPLATFORM_BACKUP_DESTINATION", "ftp://host/dir", "backup.destination"),
            ("ZCPLATFORM_BACKUP_DESTINATION", "s3://x/", "backup.destination"),
        ])
    func refused(variable: String, value: String, key: String) {
        #expect {
            _ = try load([variable: value])
        } throws: { error in
            "\(error)".contains(key)
        }
    }

    @Test("an endpoint in each form; S3 credentials from the keys or from AWS_*, a missing one named")
    func credentials() async throws {
        let configuration = try load([
            "ZCPLATFORM_OBJECTS_URL": "s3://zc-backups/p/", "ZCPLATFORM_OBJECTS_ENDPOINT": " HTTP://127.0.0.1:9000/ ",
        ])
        #expect(configuration.objects.endpoint == S3Endpoint(secure: false, host: "127.0.0.1", port: 9000))
        let location = try #require(configuration.objects.location)
        #expect {
            _ = try ObjectStores.make(location, settings: configuration.objects, environment: [:])
        } throws: { error in
            "\(error)".contains("objects.access_key_id") && "\(error)".contains("AWS_ACCESS_KEY_ID")
        }
        #expect {
            _ = try ObjectStores.make(
                location, settings: configuration.objects, environment: ["AWS_ACCESS_KEY_ID": "k"])
        } throws: { error in
            "\(error)".contains("objects.secret_access_key") && "\(error)".contains("AWS_SECRET_ACCESS_KEY")
        }
        let store = try ObjectStores.make(
            location, settings: configuration.objects,
            environment: ["AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s"])
        #expect(store.driver == "s3")
        #expect(store.location == "s3://zc-backups/p/")
        await store.shutdown()
        // The secret key never shows in the rendered configuration.
        let keyed = try load([
            "ZCPLATFORM_OBJECTS_URL": "s3://zc-backups/", "ZCPLATFORM_OBJECTS_SECRET_ACCESS_KEY": "very-secret-value",
        ])
        #expect(!keyed.renderedTOML().contains("very-secret-value"))
    }
}
