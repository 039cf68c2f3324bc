import Foundation
import TestSupport
import Testing
import ZCCore

@testable import ZCPlatform

/// `cluster.advertise_address` in every form an operator writes, and what is refused at start, naming the key.
@Suite("Configuration: cluster.advertise_address")
struct AdvertiseAddressTests {
    func load(_ value: String) throws -> PlatformConfiguration {
        try ConfigurationLoader.load(
            explicitPath: nil, environment: ["ZCPLATFORM_CLUSTER_ADVERTISE_ADDRESS": value],
            context: ConfigurationTests.noDocker, workingDirectory: "/nonexistent")
    }

    @Test(
        "host:port and http://host:port mean the same and are kept as host:port",
        arguments: [
            ("10.0.0.5:8080", "10.0.0.5:8080"), ("http://10.0.0.5:8080", "10.0.0.5:8080"),
            ("http://10.0.0.5:8080/", "10.0.0.5:8080"), ("HTTP://node-a.internal:9000", "node-a.internal:9000"),
            (" node-a.internal:9000 ", "node-a.internal:9000"), ("[fd00::5]:8080", "[fd00::5]:8080"),
            ("http://[::1]:8080/", "[::1]:8080"), ("localhost:1", "localhost:1"),
        ])
    func accepted(written: String, kept: String) throws {
        let configuration = try load(written)
        #expect(configuration.cluster.advertiseAddress == kept)
        #expect(configuration.cluster.advertiseAddressAsWritten == (written == kept ? nil : written))
        // What forwarding connects to.
        #expect(TenantForwarding.endpoint(kept) != nil)
    }

    @Test(
        "anything another node could not connect to is refused at start, naming the key and saying why",
        arguments: [
            ("https://10.0.0.5:8443", "plain HTTP"), ("tcp://10.0.0.5:8080", "not http://"),
            ("10.0.0.5", "has no port"), ("http://10.0.0.5", "has no port"), ("http://10.0.0.5:8080/api", "a path"),
            ("http://admin@10.0.0.5:8080", "a user"), ("10.0.0.5:0", "1 to 65535"), ("10.0.0.5:70000", "1 to 65535"),
            ("10.0.0.5:80a", "1 to 65535"), ("0.0.0.0:8080", "wildcard"), ("[::]:8080", "wildcard"),
            ("fd00::5:8080", "without brackets"), ("[fd00::5:8080", "does not close"), ("[node-a]:8080", "not an IPv6"),
            ("node_a!:8080", "not a name"), ("http://", "is empty"), (":8080", "not a name"),
        ])
    func refused(written: String, why: String) {
        do {
            let configuration = try load(written)
            Issue.record("accepted \(written) as \(configuration.cluster.advertiseAddress ?? "-")")
        } catch let error as ConfigurationError {
            #expect(error.message.hasPrefix("cluster.advertise_address = \"\(written)\""), "\(error.message)")
            #expect(error.message.contains(why), "\(error.message)")
            #expect(error.message.contains("host:port"), "says what to write: \(error.message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("unset, the node advertises server.host and server.port, an IPv6 host in brackets")
    func fallback() throws {
        #expect(AdvertiseAddress(host: "10.0.0.5", port: 8080).description == "10.0.0.5:8080")
        #expect(AdvertiseAddress(host: "::1", port: 8080).description == "[::1]:8080")
        #expect(TenantForwarding.endpoint("[::1]:8080") == .tcp(host: "::1", port: 8080))
    }
}
