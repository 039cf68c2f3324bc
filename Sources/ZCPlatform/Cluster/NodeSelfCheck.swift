import Synchronization
import ZCCore
import ZCHTTP

/// What a clustered node checks of itself once it serves, so that a typo shows at start and not on the
/// first request another node forwards:
/// - **its advertised address**: it calls its own `/healthz` through `cluster.advertise_address` (the
///   address the other nodes use) with a nonce only this process knows, and the answer must carry it
///   back. The heartbeat records the outcome in its `nodes` row at its next beat (`GET /api/cluster/nodes`
///   shows it as `address_check`), logs `cluster.address_unreachable` (error) when the call fails or reaches another
///   process, and checks again: every `retry` while it fails, every `recheck` once it works.
/// - **its vault key**: the nodes sign forwarded requests with a key derived from the vault key, so
///   nodes whose keys differ refuse each other's forwards. It compares its key's fingerprint with the
///   other nodes' (not down) and logs `cluster.vault_key_mismatch` (error) naming them.
struct NodeSelfCheck: Service {
    /// The request header carrying the nonce, and the answer's header carrying it back.
    static let header = "X-ZCPlatform-Self-Check"

    let name = "node-self-check"
    let store: any Store
    let nodeID: String
    /// Where the outcome goes for the heartbeat to record.
    let outcome: AddressCheckOutcome
    let address: String
    let vaultKey: @Sendable () -> String
    let nonce: String
    let client: LazyHTTPClient
    /// Ends once the API listens.
    let listening: @Sendable () async throws -> Void
    let logger: Logger
    var retry: Duration = .seconds(30)
    var recheck: Duration = .seconds(600)
    var timeout: Duration = .seconds(3)

    func run() async throws {
        do {
            try await listening()
        } catch {
            return await Self.waitForCancellation()
        }
        await compareVaultKeys()
        let endpoint = TenantForwarding.endpoint(address)
        var failing: String?
        var first = true
        while !Task.isCancelled {
            let error = await callSelf(endpoint)
            if Task.isCancelled { return }
            if error != failing || first {
                if let error {
                    logger.error(
                        "cluster.address_unreachable",
                        [
                            "node": nodeID, "address": address, "error": error,
                            "detail":
                                "other nodes forward this node's tenants' requests to this address; set cluster.advertise_address to host:port as they reach this node",
                        ])
                } else {
                    logger.info("cluster.address_checked", ["node": nodeID, "address": address])
                }
            }
            failing = error
            first = false
            // The heartbeat writes it into the node's row with its next beat: no write of its own.
            outcome.set(Node.AddressCheck(checkedAt: .now(), error: error))
            // An address no node can connect to (a wildcard host, port 0) stays so until a restart: said once.
            if endpoint == nil { return await Self.waitForCancellation() }
            do {
                try await Task.sleep(for: error == nil ? recheck : retry)
            } catch {
                return
            }
        }
    }

    /// A service that has nothing more to do still runs until the group stops: one that ended would stop it.
    static func waitForCancellation() async {
        while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
    }

    /// Nil when this process answered through `address`; else why not, in a sentence.
    func callSelf(_ endpoint: HTTPEndpoint?) async -> String? {
        guard let endpoint else { return "\(address) is not an address another node can connect to" }
        do {
            // The head alone: whatever answers at the address (another process) sends a body never read.
            let response = try await client.client().stream(
                .get, endpoint, "/healthz", headers: [Self.header: nonce], timeout: timeout)
            guard response.status == .ok else {
                return "GET http://\(address)/healthz answered \(response.status.code)"
            }
            guard response.headers[Self.header] == nonce else {
                return "GET http://\(address)/healthz was answered by another process, not this node"
            }
            return nil
        } catch is CancellationError {
            return nil
        } catch {
            return "GET http://\(address)/healthz failed: \(error)"
        }
    }

    /// Logs the nodes (not down) whose vault key differs from this node's.
    func compareVaultKeys() async {
        let mine = vaultKey()
        guard let nodes = try? await store.read({ try await $0.nodes() }) else { return }
        let differing = nodes.filter {
            $0.id != nodeID && $0.state != .down && !$0.vaultKey.isEmpty && $0.vaultKey != mine
        }
        guard !differing.isEmpty else { return }
        logger.error(
            "cluster.vault_key_mismatch",
            [
                "node": nodeID, "key": mine,
                "nodes": differing.map { "\($0.id)=\($0.vaultKey)" }.joined(separator: ","),
                "detail":
                    "these nodes hold another vault key: they refuse the requests this node forwards them and this node refuses theirs; give every node the same vault key file",
            ])
    }
}

/// The last outcome of `NodeSelfCheck`, which `NodeHeartbeat` writes with every beat (nil until the first).
final class AddressCheckOutcome: Sendable {
    private let value = Mutex<Node.AddressCheck?>(nil)

    func set(_ check: Node.AddressCheck) { value.withLock { $0 = check } }
    var current: Node.AddressCheck? { value.withLock { $0 } }
}
