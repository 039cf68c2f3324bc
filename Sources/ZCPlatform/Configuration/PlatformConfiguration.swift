import Foundation
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
    }

    public struct Collector: Sendable, Hashable {
        public var enabled: Bool
        public var intervalSeconds: Int
        public var concurrency: Int
        public var timeoutSeconds: Int
        /// Days of history kept; nil for collectors that keep none.
        public var retentionDays: Int?
    }

    public struct Collectors: Sendable, Hashable {
        public var resource: Collector
        public var usage: Collector
        public var health: Collector
        /// What the usage collector reads, in priority order (the first that matches a scrape wins).
        public var usageMessagesMetrics: [PrometheusSelector]
        public var usageTokensInMetrics: [PrometheusSelector]
        public var usageTokensOutMetrics: [PrometheusSelector]
        public var healthFailuresBeforeRestart: Int
        public var resourceRollupRetentionDays: Int
        public var resourceDiskRefreshSeconds: Int
        public var resourceDiskBudgetMilliseconds: Int
        public var resourceDiskMaxDepth: Int
        public var resourceDiskMaxEntries: Int
        public var usageGapHorizonSeconds: Int
    }

    public struct Webhook: Sendable, Hashable {
        public var enabled: Bool
        public var url: String?
        /// The signing secret: never log it.
        public var secret: String?
        public var format: String
        public var maxAttempts: Int
    }

    public struct Mail: Sendable, Hashable {
        public var enabled: Bool
        public var host: String?
        /// 0: the TLS mode's usual port.
        public var port: Int
        public var tls: String
        public var username: String?
        /// Never log it; `config check` redacts it.
        public var password: String?
        public var from: String?
        public var alertsTo: [String]
        public var caFile: String?
        public var timeoutSeconds: Int
        public var maxAttempts: Int
    }

    public struct Notifiers: Sendable, Hashable {
        public var logEnabled: Bool
        public var webhook: Webhook
        public var mail: Mail
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
    }

    public struct Cluster: Sendable, Hashable {
        public var nodeID: String
        public var advertiseAddress: String?
        public var heartbeatSeconds: Int
    }

    public var server: Server
    public var store: StoreSettings
    public var runtime: Runtime
    public var vaultKeyPath: String
    public var collectors: Collectors
    public var notifiers: Notifiers
    public var alerts: Alerts
    public var plans: [String: Plan]
    public var auth: Auth
    public var cluster: Cluster

    /// The file read, if any.
    public var file: String?
    /// Every key's effective value, by dotted name, for `config check`.
    public let values: [String: TOMLValue]
    /// Where each value not defaulted came from: a file path or `environment`.
    public let sources: [String: String]

    init(
        values: [String: TOMLValue], planNames: [String], file: String?, sources: [String: String]
    )
        throws(ConfigurationError)
    {
        let read = ValueReader(values: values)
        self.values = values
        self.sources = sources
        self.file = file
        server = Server(
            host: read.string("server.host"), port: read.int("server.port"),
            logLevel: LogLevel(rawValue: read.string("server.log_level")) ?? .info,
            logFormat: LogFormat(rawValue: read.string("server.log_format")) ?? .logfmt,
            maxBodyBytes: read.int("server.max_body_bytes"), metricsPublic: read.bool("server.metrics_public"),
            shutdownGraceSeconds: read.int("server.shutdown_grace_seconds"),
            maxConnections: read.int("server.max_connections"),
            maxConnectionsPerClient: read.int("server.max_connections_per_client"),
            requestTimeoutSeconds: read.int("server.request_timeout_seconds"),
            idleTimeoutSeconds: read.int("server.idle_timeout_seconds"), accessLog: read.bool("server.access_log"))
        store = StoreSettings(
            driver: read.string("store.driver"), path: read.string("store.path"), url: read.optionalString("store.url"),
            readers: read.int("store.readers"), poolSize: read.int("store.pool_size"),
            busyTimeoutMilliseconds: read.int("store.busy_timeout_ms"),
            statementTimeoutMilliseconds: read.int("store.statement_timeout_ms"),
            auditRetentionDays: read.int("store.audit_retention_days"),
            pruneIntervalSeconds: read.int("store.prune_interval_seconds"),
            pruneBatchRows: read.int("store.prune_batch_rows"))
        let ports = (read.int("runtime.port_range_start"), read.int("runtime.port_range_end"))
        let uids = (read.int("runtime.uid_range_start"), read.int("runtime.uid_range_end"))
        guard ports.0 <= ports.1 else {
            throw ConfigurationError(
                "runtime.port_range_start (\(ports.0)) is above runtime.port_range_end (\(ports.1))")
        }
        guard uids.0 <= uids.1 else {
            throw ConfigurationError("runtime.uid_range_start (\(uids.0)) is above runtime.uid_range_end (\(uids.1))")
        }
        runtime = Runtime(
            driver: read.string("runtime.driver"), dockerSocket: read.string("runtime.docker_socket"),
            dataDirectory: read.string("runtime.data_dir"), network: read.string("runtime.network"),
            dockerNetwork: read.string("runtime.docker_network"),
            image: read.string("runtime.image"),
            agentCommand: read.string("runtime.agent_command"), portRange: ports.0...ports.1, uidRange: uids.0...uids.1,
            stopTimeoutSeconds: read.int("runtime.stop_timeout_seconds"),
            healthTimeoutSeconds: read.int("runtime.health_timeout_seconds"),
            deletedRetentionHours: read.int("runtime.deleted_retention_hours"),
            deployConcurrency: read.int("runtime.deploy_concurrency"),
            execTimeoutSeconds: read.int("runtime.exec_timeout_seconds"),
            processExec: read.bool("runtime.process_exec"),
            reconcileIntervalSeconds: read.int("runtime.reconcile_interval_seconds"),
            deployTimeoutSeconds: read.int("runtime.deploy_timeout_seconds"),
            deployFinishAttempts: read.int("runtime.deploy_finish_attempts"))
        let network = Array(runtime.dockerNetwork.utf8)
        func alphanumeric(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        guard let first = network.first, alphanumeric(first), network.count <= 64,
            network.allSatisfy({ alphanumeric($0) || Array("_.-".utf8).contains($0) })
        else {
            throw ConfigurationError(
                "runtime.docker_network must be a Docker network name: letters, digits, '_', '.', '-', starting with a letter or digit"
            )
        }
        vaultKeyPath = read.string("vault.key_path")
        func collector(_ name: String) -> Collector {
            Collector(
                enabled: read.bool("collectors.\(name).enabled"),
                intervalSeconds: read.int("collectors.\(name).interval_seconds"),
                concurrency: read.int("collectors.\(name).concurrency"),
                timeoutSeconds: read.int("collectors.\(name).timeout_seconds"),
                retentionDays: read.optionalInt("collectors.\(name).retention_days"))
        }
        collectors = Collectors(
            resource: collector("resource"), usage: collector("usage"), health: collector("health"),
            usageMessagesMetrics: try read.selectors("collectors.usage.messages_metrics"),
            usageTokensInMetrics: try read.selectors("collectors.usage.tokens_in_metrics"),
            usageTokensOutMetrics: try read.selectors("collectors.usage.tokens_out_metrics"),
            healthFailuresBeforeRestart: read.int("collectors.health.failures_before_restart"),
            resourceRollupRetentionDays: read.int("collectors.resource.rollup_retention_days"),
            resourceDiskRefreshSeconds: read.int("collectors.resource.disk_refresh_seconds"),
            resourceDiskBudgetMilliseconds: read.int("collectors.resource.disk_budget_milliseconds"),
            resourceDiskMaxDepth: read.int("collectors.resource.disk_max_depth"),
            resourceDiskMaxEntries: read.int("collectors.resource.disk_max_entries"),
            usageGapHorizonSeconds: read.int("collectors.usage.gap_horizon_seconds"))
        let webhook = Webhook(
            enabled: read.bool("notifiers.webhook.enabled"), url: read.optionalString("notifiers.webhook.url"),
            secret: read.optionalString("notifiers.webhook.secret"), format: read.string("notifiers.webhook.format"),
            maxAttempts: read.int("notifiers.webhook.max_attempts"))
        if webhook.enabled, webhook.url == nil {
            throw ConfigurationError("notifiers.webhook.url is required when notifiers.webhook.enabled is true")
        }
        if let url = webhook.url {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""),
                parsed.host != nil
            else {
                throw ConfigurationError("notifiers.webhook.url must be an http:// or https:// URL")
            }
        }
        let mail = Mail(
            enabled: read.bool("notifiers.mail.enabled"), host: read.optionalString("notifiers.mail.host"),
            port: read.int("notifiers.mail.port"), tls: read.string("notifiers.mail.tls"),
            username: read.optionalString("notifiers.mail.username"),
            password: read.optionalString("notifiers.mail.password"), from: read.optionalString("notifiers.mail.from"),
            alertsTo: read.list("notifiers.mail.alerts_to"), caFile: read.optionalString("notifiers.mail.ca_file"),
            timeoutSeconds: read.int("notifiers.mail.timeout_seconds"),
            maxAttempts: read.int("notifiers.mail.max_attempts"))
        if mail.enabled {
            do {
                try mail.options().validate()
            } catch let error as ConfigurationError {
                throw error
            } catch {
                throw ConfigurationError("notifiers.mail: \(error)")
            }
        }
        notifiers = Notifiers(logEnabled: read.bool("notifiers.log.enabled"), webhook: webhook, mail: mail)
        alerts = Alerts(
            enabled: read.bool("alerts.enabled"), evaluationSeconds: read.int("alerts.evaluation_seconds"),
            runtimeOutageMinutes: read.int("alerts.runtime_outage_minutes"),
            healthErrorMinutes: read.int("alerts.health_error_minutes"),
            cpuPct: read.double("alerts.cpu_pct"), cpuMinutes: read.int("alerts.cpu_minutes"),
            diskWarningPct: read.double("alerts.disk_warning_pct"),
            diskCriticalPct: read.double("alerts.disk_critical_pct"))
        guard alerts.diskWarningPct < alerts.diskCriticalPct else {
            throw ConfigurationError("alerts.disk_warning_pct must be below alerts.disk_critical_pct")
        }
        var plans: [String: Plan] = [:]
        for name in planNames {
            let plan = Plan(
                name: name, cpuLimit: read.double("plans.\(name).cpu_limit"),
                memoryBytes: Int64(read.int("plans.\(name).memory")),
                pidsLimit: Int64(read.int("plans.\(name).pids_limit")),
                maxChannels: read.int("plans.\(name).max_channels"), maxMembers: read.int("plans.\(name).max_members"),
                maxMessagesPerDay: read.int("plans.\(name).max_messages_per_day"))
            do {
                try plan.validate()
            } catch {
                throw ConfigurationError(error.publicMessage)
            }
            plans[name] = plan
        }
        self.plans = plans
        auth = Auth(
            otpTTLSeconds: read.int("auth.otp_ttl_seconds"), otpMaxAttempts: read.int("auth.otp_max_attempts"),
            otpMaxGuesses: read.int("auth.otp_max_guesses"), clientMaxAttempts: read.int("auth.client_max_attempts"),
            globalMaxAttempts: read.int("auth.global_max_attempts"),
            otpWindowSeconds: read.int("auth.otp_window_seconds"), printLoginCodes: read.bool("auth.print_login_codes"),
            sessionTTLHours: read.int("auth.session_ttl_hours"),
            apiTokenMaxDays: read.int("auth.api_token_max_days"),
            bootstrapTokenDays: read.int("auth.bootstrap_token_days"))
        cluster = Cluster(
            nodeID: read.string("cluster.node_id"), advertiseAddress: read.optionalString("cluster.advertise_address"),
            heartbeatSeconds: read.int("cluster.heartbeat_seconds"))
        if store.driver == "postgres", store.url == nil {
            throw ConfigurationError("store.url is required when store.driver is \"postgres\"")
        }
    }

    /// The defaults, as on a machine without a file or variables.
    public static func defaults(context: ConfigurationContext) throws(ConfigurationError) -> PlatformConfiguration {
        try ConfigurationLoader.load(
            explicitPath: nil, environment: [:], context: context, workingDirectory: "/nonexistent")
    }
}

/// Typed reads of resolved values. The loader has checked every type, so a missing or mistyped value
/// here is a schema bug; it reads as empty rather than crashing.
struct ValueReader {
    let values: [String: TOMLValue]

    func string(_ name: String) -> String { values[name]?.string ?? "" }
    func optionalString(_ name: String) -> String? { values[name]?.string.flatMap { $0.isEmpty ? nil : $0 } }
    func int(_ name: String) -> Int { values[name]?.integer.map { Int($0) } ?? 0 }
    func optionalInt(_ name: String) -> Int? { values[name]?.integer.map { Int($0) } }
    func double(_ name: String) -> Double { values[name]?.double ?? 0 }
    func bool(_ name: String) -> Bool { values[name]?.bool ?? false }

    /// A list of Prometheus selectors; one that does not parse is an error naming the key.
    func selectors(_ name: String) throws(ConfigurationError) -> [PrometheusSelector] {
        let items = list(name).filter { !$0.isEmpty }
        guard !items.isEmpty else { throw ConfigurationError("\(name): give at least one metric name") }
        var selectors: [PrometheusSelector] = []
        for item in items {
            do {
                selectors.append(try PrometheusSelector(parsing: item))
            } catch {
                throw ConfigurationError("\(name): not a metric selector: \(error.message)")
            }
        }
        return selectors
    }

    /// A comma-separated list; commas inside `{…}` label selectors, and braces or commas inside their quoted
    /// values, do not split.
    func list(_ name: String) -> [String] {
        var items: [String] = []
        var current = ""
        var depth = 0
        var quoted = false
        var escaped = false
        for character in string(name) {
            if quoted {
                if escaped {
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    quoted = false
                }
                current.append(character)
                continue
            }
            switch character {
            case "\"": quoted = true
            case "{": depth += 1
            case "}": depth -= 1
            case "," where depth == 0:
                items.append(current.trimmingWhitespace())
                current = ""
                continue
            default: break
            }
            current.append(character)
        }
        items.append(current.trimmingWhitespace())
        return items.filter { !$0.isEmpty }
    }
}
