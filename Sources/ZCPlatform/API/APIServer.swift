import Foundation
import ZCConsole
import ZCCore
import ZCCrypto
import ZCHTTP

/// The platform's HTTP API as a service: the router (health, metrics, and the REST API as it grows),
/// its middleware, and the server configured from `[server]`.
public struct APIServer: Service {
    public let name = "api"
    public let server: HTTPServer
    public let routes: [(method: HTTPMethod, pattern: String)]
    /// The router without sockets, for tests.
    public let responder: RouterResponder
    /// Carries requests to the node that owns their tenant.
    let forwarding: LazyHTTPClient
    /// What `/healthz` carries back to a request that sends it (`NodeSelfCheck`): only this process knows it.
    let selfCheckNonce: String

    public init(
        configuration: PlatformConfiguration, store: any Store, services: PlatformServices, health: HealthBoard,
        alerts: AlertEvaluator?, metrics: MetricsRegistry, logger: Logger, readiness: NodeReadiness? = nil
    ) {
        let httpMetrics = HTTPMetrics(registry: metrics, logger: logger.labeled("http"))
        var router = Router()
        if configuration.server.accessLog { router.use(AccessLog(logger: logger.labeled("http"))) }
        router.use(httpMetrics)
        router.use(SecurityHeaders())
        router.use(FailureMapping())
        router.use(SessionCookie())
        let forwarding = LazyHTTPClient(
            configuration: HTTPClientConfiguration(connectTimeout: .seconds(3), maxIdlePerEndpoint: 16))
        if services.lifecycle.settings.clustered {
            router.use(
                TenantForwarding(
                    nodeID: configuration.cluster.nodeID, store: store, auth: services.auth, access: services.access,
                    signature: ForwardingSignature(vault: services.vault), client: forwarding,
                    execTimeout: .seconds(configuration.runtime.execTimeoutSeconds),
                    metrics: ForwardingMetrics(metrics)))
        }
        self.forwarding = forwarding
        router.use(BearerAuthentication(auth: services.auth))
        let nonce = ((try? SecureRandom.bytes(16)) ?? (0..<16).map { _ in UInt8.random(in: 0...255) }).hexString
        selfCheckNonce = nonce
        PlatformRoutes.register(
            in: &router, configuration: configuration, store: store, metrics: metrics,
            selfCheckNonce: services.lifecycle.settings.clustered ? nonce : nil,
            readiness: readiness)
        let authorizer = Authorizer(access: services.access)
        AuthController(auth: services.auth, tenants: services.tenants).register(in: &router)
        UserController(users: services.users, authorizer: authorizer).register(in: &router)
        TenantController(
            tenants: services.tenants, lifecycle: services.lifecycle, authorizer: authorizer, health: health,
            execTimeoutSeconds: configuration.runtime.execTimeoutSeconds
        ).register(in: &router)
        MemberController(members: services.members, authorizer: authorizer).register(in: &router)
        ChannelController(channels: services.channels, authorizer: authorizer).register(in: &router)
        TenantConfigController(configs: services.tenantConfigs, authorizer: authorizer).register(in: &router)
        MonitoringController(reports: services.fleet, authorizer: authorizer, alerts: alerts).register(in: &router)
        ClusterController(
            reports: services.fleet, vaultKey: { [vault = services.vault] in vault.fingerprint },
            authorizer: authorizer,
            ingressDomain: configuration.cluster.ingressDomain,
            administration: ClusterAdministration(store: store)
        ).register(in: &router)
        NodeMoveController(lifecycle: services.lifecycle, signature: ForwardingSignature(vault: services.vault))
            .register(in: &router)
        ResourceController(store: store, authorizer: authorizer).register(in: &router)
        RolloutController(rollouts: services.rollouts, authorizer: authorizer).register(in: &router)
        FleetController(
            reports: services.fleet, authorizer: authorizer, execAvailable: services.lifecycle.execAvailable,
            metrics: metrics
        ).register(in: &router)
        ConsoleRoutes().register(in: &router)
        routes = router.routes
        responder = router.responder(logger: logger.labeled("http"))
        let server = configuration.server
        let listeningLogger = logger.labeled("http")
        let host = server.host
        self.server = HTTPServer(
            configuration: HTTPServerConfiguration(
                host: server.host, port: server.port,
                limits: HTTPParserLimits(bodyBytes: server.maxBodyBytes),
                maxConnections: ConnectionBudget.maxConnections(
                    configured: server.maxConnections, logger: listeningLogger),
                maxConnectionsPerClient: server.maxConnectionsPerClient,
                requestTimeout: .seconds(server.requestTimeoutSeconds),
                idleTimeout: .seconds(server.idleTimeoutSeconds),
                shutdownGrace: .seconds(server.shutdownGraceSeconds)),
            responder: responder, observer: httpMetrics,
            onListening: { port in listeningLogger.notice("http.listening", ["address": "\(host):\(port)"]) })
    }

    public func run() async throws {
        do {
            try await server.run()
        } catch {
            await forwarding.shutdown()
            throw error
        }
        await forwarding.shutdown()
    }

    /// The port listened on, once listening.
    public func port() async throws -> Int { try await server.port() }
}

/// The routes every node serves.
enum PlatformRoutes {
    static func register(
        in router: inout Router, configuration: PlatformConfiguration, store: any Store, metrics: MetricsRegistry,
        selfCheckNonce: String?, readiness: NodeReadiness?
    ) {
        // The same bytes every time: encoded once, not per probe.
        let healthy = JSONBody.encoded(["status": "ok", "version": Platform.version])
        if let selfCheckNonce {
            router.get("/healthz") { request, _ in
                var response = HTTPResponse(
                    status: .ok, headers: ["Content-Type": "application/json"], bytes: healthy)
                // This node calling itself through its advertised address (clustered): the nonce goes back.
                if request.headers[NodeSelfCheck.header] == selfCheckNonce {
                    response.headers.set(NodeSelfCheck.header, selfCheckNonce)
                }
                return response
            }
        } else {
            router.get("/healthz") { _, _ in
                HTTPResponse(status: .ok, headers: ["Content-Type": "application/json"], bytes: healthy)
            }
        }
        // Readiness, for load balancers: 503 with the reason (and Retry-After) while this node cannot work.
        let ready = JSONBody.encoded(["status": "ready"])
        router.get("/readyz") { _, _ in
            guard let reason = readiness?.notReadyReason() else {
                return HTTPResponse(status: .ok, headers: ["Content-Type": "application/json"], bytes: ready)
            }
            var response = JSONBody.response(["status": "not ready", "reason": reason], status: .serviceUnavailable)
            response.headers.set("Retry-After", String(NodeReadiness.retryAfterSeconds))
            return response
        }
        let publicMetrics = configuration.server.metricsPublic
        let loopReads = (store as? any StoreReadPaths).map { paths in
            (
                paths,
                metrics.counter(
                    "zcplatform_store_loop_reads_total",
                    help: "Store reads begun on an HTTP event loop: answered there, or fell_back to the reader pool "
                        + "(past the loop's budget, or the database busy).", labels: ["outcome"]),
                metrics.counter(
                    "zcplatform_store_loop_snapshots_reused_total",
                    help: "Reads answered on an event loop that reused the read snapshot of the loop's previous read "
                        + "(younger than 1 ms, no write since).")
            )
        }
        router.get("/metrics") { _, context in
            guard publicMetrics || Loopback.contains(context.remoteAddress) else {
                throw HTTPError(
                    .forbidden, "/metrics is served to loopback clients only (server.metrics_public = false)")
            }
            if let (paths, counter, reused) = loopReads {
                let counts = paths.loopReads
                counter.raise(to: Double(counts.answered), labels: ["answered"])
                counter.raise(to: Double(counts.fellBack), labels: ["fell_back"])
                reused.raise(to: Double(paths.loopSnapshotsReused))
            }
            return HTTPResponse(
                headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"],
                bytes: Array(metrics.render().utf8))
        }
    }
}

/// Loopback addresses.
enum Loopback {
    static func contains(_ address: String) -> Bool {
        address.hasPrefix("127.") || address == "::1" || address == "::ffff:127.0.0.1" || address == "unix"
    }
}
