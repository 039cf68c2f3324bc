import Foundation
import S3Objects
import ZCCore
import ZCTOML

/// The platform's effective configuration: every key resolved from environment, file or default.
public struct PlatformConfiguration: Sendable {
    public struct Server: Sendable, Hashable {
        public var host: String
        public var port: Int
        public var logLevel: LogLevel
        public var logFormat: LogFormat
        public var maxBodyBytes: Int
        public var metricsPublic: Bool
        public var shutdownGraceSeconds: Int
        public var maxConnections: Int
        public var maxConnectionsPerClient: Int
        public var requestTimeoutSeconds: Int
        public var idleTimeoutSeconds: Int
        public var accessLog: Bool
    }

    public struct StoreSettings: Sendable, Hashable {
        public var driver: String
        public var path: String
        /// Holds a password: never log it; `config check` redacts it.
        public var url: String?
        public var readers: Int
        public var poolSize: Int
        public var busyTimeoutMilliseconds: Int
        public var statementTimeoutMilliseconds: Int
        public var auditRetentionDays: Int
        public var pruneIntervalSeconds: Int
        public var pruneBatchRows: Int
    }

    public struct Runtime: Sendable, Hashable {
        /// Empty when none is set and none may be chosen (root without a Docker socket).
        public var driver: String
        public var dockerSocket: String
        public var dataDirectory: String
        /// `bridge` or `host` (docker runtime).
        public var network: String
        /// The bridge network tenants join (docker runtime, `bridge`).
        public var dockerNetwork: String
        public var image: String
        public var agentCommand: String
        public var portRange: ClosedRange<Int>
        /// The IPv4 address agents' gateways are published on.
        public var publishAddress: String
        /// Where the platform itself reaches an agent's gateway: the publish address, or loopback when it is
        /// every address (`0.0.0.0`).
        public var agentHost: String { publishAddress == "0.0.0.0" ? "127.0.0.1" : publishAddress }
        public var uidRange: ClosedRange<Int>
        public var stopTimeoutSeconds: Int
        public var healthTimeoutSeconds: Int
        public var deletedRetentionHours: Int
        public var deployConcurrency: Int
        public var execTimeoutSeconds: Int
        /// Exec under the process runtime (no isolation) is allowed.
        public var processExec: Bool
        public var reconcileIntervalSeconds: Int
        public var deployTimeoutSeconds: Int
        public var deployFinishAttempts: Int
        /// The channel kinds the agent's image is built with (`runtime.agent_channels`).
        public var agentChannels: AgentChannels = .all
    }

    /// The keys every collector has (`[collectors.NAME]`); its own are read by its plugin.
    public struct Collector: Sendable, Hashable {
        public var enabled: Bool
        public var intervalSeconds: Int
        public var concurrency: Int
        public var timeoutSeconds: Int
        /// Days of history kept; nil for collectors that keep none.
        public var retentionDays: Int?
    }

    public struct Alerts: Sendable, Hashable {
        public var enabled: Bool
        public var evaluationSeconds: Int
        public var runtimeOutageMinutes: Int
        public var healthErrorMinutes: Int
        public var cpuPct: Double
        public var cpuMinutes: Int
        public var diskWarningPct: Double
        public var diskCriticalPct: Double
    }

    public struct Auth: Sendable, Hashable {
        public var otpTTLSeconds: Int
        /// Attempts (code requests and verifications) per email per window.
        public var otpMaxAttempts: Int
        /// Guesses at one code before it is dead.
        public var otpMaxGuesses: Int
        /// Attempts per client address per window.
        public var clientMaxAttempts: Int
        /// Attempts by everyone together per window.
        public var globalMaxAttempts: Int
        public var otpWindowSeconds: Int
        /// Development only: login codes go to stderr when no mail notifier is configured.
        public var printLoginCodes: Bool
        public var sessionTTLHours: Int
        public var apiTokenMaxDays: Int
        public var bootstrapTokenDays: Int
        /// How long a bearer token's principal is reused without a store read (0: never).
        public var tokenCacheMilliseconds: Int
    }

    public struct Cluster: Sendable, Hashable {
        public var nodeID: String
        /// `host:port` as the other nodes reach this node (`cluster.advertise_address`, read from either of
        /// the forms `AdvertiseAddress` takes).
        public var advertiseAddress: String?
        /// The key as the operator wrote it, when that differs from `advertiseAddress`.
        public var advertiseAddressAsWritten: String?
        public var heartbeatSeconds: Int
        /// A node whose heartbeat expired this long ago is down.
        public var nodeDownSeconds: Int
        /// Memory this node offers its tenants, in bytes.
        public var memoryCapacity: Int64
        public var leaderLeaseSeconds: Int
        public var leaderRenewSeconds: Int
        /// Where a deploy places a tenant that has no node.
        public var placement: NodePlacement.Strategy
        /// Agents are served to the outside as `{id}.{ingressDomain}`.
        public var ingressDomain: String?
        /// A node that could not record its heartbeat this long stops its agents.
        public var selfFenceSeconds: Int
        /// How long a node keeps its copy of a tenant that moved away.
        public var movedRetentionHours: Int
        /// The most file content a tenant's directory may hold to be moved, in bytes.
        public var moveMaxBytes: Int64
    }

    /// The `objects.*` keys: where snapshots go, and how to reach an S3 service.
    public struct Objects: Sendable, Hashable {
        public enum Addressing: String, Sendable, Hashable, CaseIterable {
            case auto, path, virtual
        }
        public var location: ObjectLocation?
        public var endpoint: S3Endpoint?
        public var region: String
        public var accessKeyID: String?
        public var secretAccessKey: String?
        public var addressing: Addressing
    }

    public var server: Server
    public var store: StoreSettings
    public var runtime: Runtime
    public var vaultKeyPath: String
    /// The registered collectors' common keys, by collector name.
    public var collectors: [String: Collector]
    public var alerts: Alerts
    public var plans: [String: Plan]
    public var auth: Auth
    public var cluster: Cluster
    public var objects: Objects
    /// `backup.destination`: a directory or an object location, for `zcplatform backup` without --output.
    public var backupDestination: String?

    /// The file read, if any.
    public var file: String?
    /// Every key's effective value, by dotted name, for `config check`.
    public let values: [String: TOMLValue]
    /// The keys this configuration was loaded with: the platform's and its plugins'.
    let keys: [ConfigurationKey]
    /// Every key's resolved dotted name (plan keys once per plan).
    let declared: Set<String>
    /// Where each value not defaulted came from: a file path or `environment`.
    public let sources: [String: String]

    init(
        values: [String: TOMLValue], keys: [ConfigurationKey], planNames: [String], file: String?,
        sources: [String: String]
    )
        throws(ConfigurationError)
    {
        let declared = Set(keys.flatMap { ConfigurationLoader.resolvedNames(of: $0, planNames: Set(planNames)) })
        let read = PluginSettings(table: "", values: values, declared: declared)
        self.values = values
        self.keys = keys
        self.declared = declared
        self.sources = sources
        self.file = file
        server = Server(
            host: try read.string("server.host"), port: try read.int("server.port"),
            logLevel: LogLevel(rawValue: try read.string("server.log_level")) ?? .info,
            logFormat: LogFormat(rawValue: try read.string("server.log_format")) ?? .logfmt,
            maxBodyBytes: try read.int("server.max_body_bytes"), metricsPublic: try read.bool("server.metrics_public"),
            shutdownGraceSeconds: try read.int("server.shutdown_grace_seconds"),
            maxConnections: try read.int("server.max_connections"),
            maxConnectionsPerClient: try read.int("server.max_connections_per_client"),
            requestTimeoutSeconds: try read.int("server.request_timeout_seconds"),
            idleTimeoutSeconds: try read.int("server.idle_timeout_seconds"),
            accessLog: try read.bool("server.access_log"))
        store = StoreSettings(
            driver: try read.string("store.driver"), path: try read.driverString("store.path"),
            url: try read.driverOptionalString("store.url"),
            readers: try read.driverInt("store.readers"), poolSize: try read.driverInt("store.pool_size"),
            busyTimeoutMilliseconds: try read.driverInt("store.busy_timeout_ms"),
            statementTimeoutMilliseconds: try read.driverInt("store.statement_timeout_ms"),
            auditRetentionDays: try read.int("store.audit_retention_days"),
            pruneIntervalSeconds: try read.int("store.prune_interval_seconds"),
            pruneBatchRows: try read.int("store.prune_batch_rows"))
        let ports = (try read.int("runtime.port_range_start"), try read.int("runtime.port_range_end"))
        let uids = (try read.int("runtime.uid_range_start"), try read.int("runtime.uid_range_end"))
        guard ports.0 <= ports.1 else {
            throw ConfigurationError(
                "runtime.port_range_start (\(ports.0)) is above runtime.port_range_end (\(ports.1))")
        }
        guard uids.0 <= uids.1 else {
            throw ConfigurationError("runtime.uid_range_start (\(uids.0)) is above runtime.uid_range_end (\(uids.1))")
        }
        let publishAddress = try read.string("runtime.publish_address")
        var parsed = in_addr()
        guard inet_pton(AF_INET, publishAddress, &parsed) == 1 else {
            throw ConfigurationError(
                "runtime.publish_address: \"\(publishAddress)\" is not an IPv4 address (127.0.0.1, 10.0.0.11, 0.0.0.0)")
        }
        runtime = Runtime(
            driver: try read.optionalString("runtime.driver") ?? "",
            dockerSocket: try read.driverString("runtime.docker_socket"),
            dataDirectory: try read.string("runtime.data_dir"), network: try read.driverString("runtime.network"),
            dockerNetwork: try read.driverString("runtime.docker_network"),
            image: try read.driverString("runtime.image"),
            agentCommand: try read.driverString("runtime.agent_command"), portRange: ports.0...ports.1,
            publishAddress: publishAddress,
            uidRange: uids.0...uids.1,
            stopTimeoutSeconds: try read.int("runtime.stop_timeout_seconds"),
            healthTimeoutSeconds: try read.int("runtime.health_timeout_seconds"),
            deletedRetentionHours: try read.int("runtime.deleted_retention_hours"),
            deployConcurrency: try read.int("runtime.deploy_concurrency"),
            execTimeoutSeconds: try read.int("runtime.exec_timeout_seconds"),
            processExec: try read.driverBool("runtime.process_exec"),
            reconcileIntervalSeconds: try read.int("runtime.reconcile_interval_seconds"),
            deployTimeoutSeconds: try read.int("runtime.deploy_timeout_seconds"),
            deployFinishAttempts: try read.int("runtime.deploy_finish_attempts"))
        runtime.agentChannels = try AgentChannels.parse(
            try read.string("runtime.agent_channels"), image: runtime.driver == "docker" ? runtime.image : nil)
        let network = Array(runtime.dockerNetwork.utf8)
        func alphanumeric(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        let named =
            network.first.map(alphanumeric) == true && network.count <= 64
            && network.allSatisfy({ alphanumeric($0) || Array("_.-".utf8).contains($0) })
        guard named || !declared.contains("runtime.docker_network") else {
            throw ConfigurationError(
                "runtime.docker_network must be a Docker network name: letters, digits, '_', '.', '-', starting with a letter or digit"
            )
        }
        vaultKeyPath = try read.string("vault.key_path")
        var collectors: [String: Collector] = [:]
        for table in Set(
            keys.filter { $0.section.first == "collectors" && $0.section.count == 2 }.map { $0.section[1] })
        {
            let settings = read.under("collectors.\(table)")
            collectors[table] = Collector(
                enabled: try settings.bool("enabled"), intervalSeconds: try settings.int("interval_seconds"),
                concurrency: try settings.int("concurrency"), timeoutSeconds: try settings.int("timeout_seconds"),
                retentionDays: declared.contains("collectors.\(table).retention_days")
                    ? try settings.optionalInt("retention_days") : nil)
        }
        self.collectors = collectors
        alerts = Alerts(
            enabled: try read.bool("alerts.enabled"), evaluationSeconds: try read.int("alerts.evaluation_seconds"),
            runtimeOutageMinutes: try read.int("alerts.runtime_outage_minutes"),
            healthErrorMinutes: try read.int("alerts.health_error_minutes"),
            cpuPct: try read.double("alerts.cpu_pct"), cpuMinutes: try read.int("alerts.cpu_minutes"),
            diskWarningPct: try read.double("alerts.disk_warning_pct"),
            diskCriticalPct: try read.double("alerts.disk_critical_pct"))
        guard alerts.diskWarningPct < alerts.diskCriticalPct else {
            throw ConfigurationError("alerts.disk_warning_pct must be below alerts.disk_critical_pct")
        }
        var plans: [String: Plan] = [:]
        for name in planNames {
            let plan = Plan(
                name: name, cpuLimit: try read.double("plans.\(name).cpu_limit"),
                memoryBytes: Int64(try read.int("plans.\(name).memory")),
                pidsLimit: Int64(try read.int("plans.\(name).pids_limit")),
                maxChannels: try read.int("plans.\(name).max_channels"),
                maxMembers: try read.int("plans.\(name).max_members"),
                maxMessagesPerDay: try read.int("plans.\(name).max_messages_per_day"))
            do {
                try plan.validate()
            } catch {
                throw ConfigurationError(error.publicMessage)
            }
            plans[name] = plan
        }
        self.plans = plans
        auth = Auth(
            otpTTLSeconds: try read.int("auth.otp_ttl_seconds"), otpMaxAttempts: try read.int("auth.otp_max_attempts"),
            otpMaxGuesses: try read.int("auth.otp_max_guesses"),
            clientMaxAttempts: try read.int("auth.client_max_attempts"),
            globalMaxAttempts: try read.int("auth.global_max_attempts"),
            otpWindowSeconds: try read.int("auth.otp_window_seconds"),
            printLoginCodes: try read.bool("auth.print_login_codes"),
            sessionTTLHours: try read.int("auth.session_ttl_hours"),
            apiTokenMaxDays: try read.int("auth.api_token_max_days"),
            bootstrapTokenDays: try read.int("auth.bootstrap_token_days"),
            tokenCacheMilliseconds: try read.int("auth.token_cache_ms"))
        let advertised = try read.optionalString("cluster.advertise_address")
        let advertise = try advertised.map { text throws(ConfigurationError) in
            try AdvertiseAddress.parse(text, key: "cluster.advertise_address").description
        }
        cluster = Cluster(
            nodeID: try read.string("cluster.node_id"),
            advertiseAddress: advertise, advertiseAddressAsWritten: advertised == advertise ? nil : advertised,
            heartbeatSeconds: try read.int("cluster.heartbeat_seconds"),
            nodeDownSeconds: try read.int("cluster.node_down_seconds"),
            memoryCapacity: Int64(try read.int("cluster.memory_capacity")),
            leaderLeaseSeconds: try read.int("cluster.leader_lease_seconds"),
            leaderRenewSeconds: try read.int("cluster.leader_renew_seconds"),
            placement: NodePlacement.Strategy(rawValue: try read.string("cluster.placement")) ?? .spread,
            ingressDomain: try read.optionalString("cluster.ingress_domain"),
            selfFenceSeconds: try read.int("cluster.self_fence_seconds"),
            movedRetentionHours: try read.int("cluster.moved_retention_hours"),
            moveMaxBytes: Int64(try read.int("cluster.move_max_bytes")))
        guard cluster.leaderRenewSeconds < cluster.leaderLeaseSeconds - 1 else {
            throw ConfigurationError(
                "cluster.leader_renew_seconds (\(cluster.leaderRenewSeconds)) must be below cluster.leader_lease_seconds less one (\(cluster.leaderLeaseSeconds - 1)): the leader stops acting one renewal and a second before its lease runs out"
            )
        }
        let endpointText = try read.optionalString("objects.endpoint")
        let endpoint = try endpointText.map { text throws(ConfigurationError) -> S3Endpoint in
            guard let endpoint = S3Endpoint(url: text) else {
                throw ConfigurationError(
                    "objects.endpoint: \(text.debugDescription) is not http://host[:port] or https://host[:port] (no path, no user)"
                )
            }
            return endpoint
        }
        let region = try read.string("objects.region")
        guard !region.isEmpty, region.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
            throw ConfigurationError("objects.region: \(region.debugDescription) is not a region name (like eu-west-1)")
        }
        objects = Objects(
            location: try read.optionalString("objects.url").map { text throws(ConfigurationError) in
                try ObjectLocation.parse(text, key: "objects.url")
            },
            endpoint: endpoint, region: region, accessKeyID: try read.optionalString("objects.access_key_id"),
            secretAccessKey: try read.optionalString("objects.secret_access_key"),
            addressing: Objects.Addressing(rawValue: try read.string("objects.addressing")) ?? .auto)
        backupDestination = try read.optionalString("backup.destination")
        if let destination = backupDestination {
            if ObjectLocation.isURL(destination) {
                _ = try ObjectLocation.parse(destination, key: "backup.destination")
            } else if destination.contains("://") {
                throw ConfigurationError(
                    "backup.destination: \(destination.debugDescription) is neither a directory, s3://BUCKET/PREFIX/ nor file:///PATH"
                )
            }
        }
        if store.driver == "postgres", store.url == nil {
            throw ConfigurationError("store.url is required when store.driver is \"postgres\"")
        }
    }

    /// The values of one table (`collectors.usage`), or of everything (`""`), to read by name.
    public func settings(_ table: String) -> PluginSettings {
        PluginSettings(table: table, values: values, declared: declared)
    }

    /// Whether the notifier of that name is registered and enabled.
    public func isEnabled(notifier name: String) -> Bool {
        (try? settings("notifiers.\(name)").bool("enabled")) ?? false
    }

    /// The defaults, as on a machine without a file or variables.
    public static func defaults(context: ConfigurationContext) throws(ConfigurationError) -> PlatformConfiguration {
        try ConfigurationLoader.load(
            explicitPath: nil, environment: [:], context: context, workingDirectory: "/nonexistent")
    }
}
