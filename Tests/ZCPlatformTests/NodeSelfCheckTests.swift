import Foundation
import SQLiteStore
import TestSupport
import Testing
import ZCCore
import ZCHTTP

@testable import ZCPlatform

/// Whatever answers at the advertised address is not trusted: a listener that accepts and never answers,
/// nothing listening, or an address no node can connect to each give a reason in bounded time.
@Suite("Node self-check: what answers at the advertised address")
struct NodeSelfCheckTests {
    func check(_ address: String, store: any Store) -> NodeSelfCheck {
        var check = NodeSelfCheck(
            store: store, nodeID: "n1", outcome: AddressCheckOutcome(), address: address, vaultKey: { "" },
            nonce: "nonce", client: LazyHTTPClient(configuration: HTTPClientConfiguration(connectTimeout: .seconds(1))),
            listening: {}, logger: .disabled)
        check.timeout = .seconds(1)
        return check
    }

    @Test(
        "a listener that accepts and never answers, nothing listening, a wildcard: a reason each, the silent one ended by the timeout"
    )
    func hostileAnswers() async throws {
        let directory = try TemporaryDirectory("zc-self-check")
        defer { directory.remove() }
        let store = try SQLiteStore(options: SQLiteOptions(path: directory.file("db")), logger: .disabled)
        defer { Task { await store.close() } }
        // Accepts, holds, answers nothing (a relay whose far side is silent).
        let silent = TCPRelay(host: "127.0.0.1", port: FreePort.next(), upstreamHost: "127.0.0.1", upstreamPort: 1)
        try silent.start()
        silent.cut(.silence)
        defer { silent.stop() }
        let held = check("127.0.0.1:\(silent.port)", store: store)
        let heldReason = await held.callSelf(TenantForwarding.endpoint(held.address))
        // Ended by the call's own timeout, not by waiting for an answer that never comes.
        #expect(heldReason?.contains("failed: timed out") == true, "\(heldReason ?? "nil")")

        let nobody = check("127.0.0.1:\(FreePort.next())", store: store)
        let nobodyReason = await nobody.callSelf(TenantForwarding.endpoint(nobody.address))
        #expect(nobodyReason?.contains("failed") == true, "\(nobodyReason ?? "nil")")

        let wildcard = check("0.0.0.0:8080", store: store)
        #expect(
            await wildcard.callSelf(TenantForwarding.endpoint(wildcard.address))
                == "0.0.0.0:8080 is not an address another node can connect to")
    }
}
