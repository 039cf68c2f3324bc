import ZCCore
import ZCTOML

/// Every key `zcplatform.toml` accepts, with its default: the platform's own, and those of the
/// collectors and notifiers a registry holds. Anything else is refused by name.
enum ConfigurationSchema {
    static let port: ClosedRange<Int64> = 1...65535
    static let positive: ClosedRange<Int64> = 1...Int64(Int32.max)
    static let nonNegative: ClosedRange<Int64> = 0...Int64(Int32.max)

    /// The keys of a platform built from `registry`, in the order of the documentation.
    static func keys(_ registry: PluginRegistry) -> [ConfigurationKey] {
        var all: [ConfigurationKey] = server
        all += store.prefix(1)
        all += registry.storeKeys
        all += store.dropFirst()
        all += runtime.prefix(1)
        all += registry.runtimeKeys
        all += runtime.dropFirst()
        all += vault + registry.collectorKeys + registry.notifierKeys
        all += alerts + plans + auth + cluster + objects + backup
        // Drivers may declare the same key (two file stores, `path`): it is one key, the first declaration.
        var seen: Set<String> = []
        return all.filter { seen.insert($0.dottedName).inserted }
    }

    static let server: [ConfigurationKey] = [
        ConfigurationKey(["server"], "host", .string, help: "address the API listens on", fixed: "127.0.0.1"),
        ConfigurationKey(
            ["server"], "port", .integer(0...65535), help: "port the API listens on (0 picks a free one)", fixed: 8080),
        ConfigurationKey(
            ["server"], "log_level", .choice(LogLevel.allCases.map(\.rawValue)), help: "lowest level logged",
            fixed: "info"),
        ConfigurationKey(
            ["server"], "log_format", .choice(LogFormat.allCases.map(\.rawValue)),
            help: "logfmt (key=value) or json, one line per event on stderr", fixed: "logfmt"),
        ConfigurationKey(
            ["server"], "max_body_bytes", .size(minimum: 1024), help: "largest request body accepted",
            fixed: .integer(1_048_576)),
        ConfigurationKey(
            ["server"], "metrics_public", .boolean, help: "serve /metrics without a token", fixed: true),
        ConfigurationKey(
            ["server"], "shutdown_grace_seconds", .integer(nonNegative),
            help: "time in-flight work gets to finish on SIGTERM", fixed: 10),
        ConfigurationKey(
            ["server"], "max_connections", .integer(1...1_000_000), help: "client connections beyond this are closed",
            fixed: 4096),
        ConfigurationKey(
            ["server"], "request_timeout_seconds", .integer(1...3600),
            help: "a request must arrive whole within this (slow clients get 408)", fixed: 10),
        ConfigurationKey(
            ["server"], "idle_timeout_seconds", .integer(1...86_400), help: "an idle kept-alive connection is closed",
            fixed: 60),
        ConfigurationKey(
            ["server"], "max_connections_per_client", .integer(0...1_000_000),
            help: "connections one client address may hold open (0 = no cap beyond max_connections)", fixed: 256),
        ConfigurationKey(
            ["server"], "access_log", .boolean,
            help: "one log line per request, written off the request path (a slow stderr drops lines, counted)",
            fixed: true),
    ]

    static let store: [ConfigurationKey] = [
        ConfigurationKey(["store"], "driver", .string, help: "sqlite or postgres", fixed: "sqlite"),
        ConfigurationKey(
            ["store"], "audit_retention_days", .integer(nonNegative),
            help: "days of audit log kept (0 = for ever)", fixed: 0),
        ConfigurationKey(
            ["store"], "prune_interval_seconds", .integer(60...86_400), help: "how often retention runs",
            fixed: 3_600),
        ConfigurationKey(
            ["store"], "prune_batch_rows", .integer(100...1_000_000),
            help: "rows deleted per retention transaction", fixed: 5_000),
    ]

    static let runtime: [ConfigurationKey] = [
        ConfigurationKey(
            ["runtime"], "driver", .string, help: "docker, or process (no isolation: development only)",
            rule: "docker if the Docker socket exists, else process when not root (as root: must be set)",
            default: { $0.dockerSocketExists ? "docker" : $0.runsAsRoot ? nil : "process" }),
        ConfigurationKey(["runtime"], "data_dir", .string, help: "tenant directories", fixed: "./data/tenants"),
        ConfigurationKey(
            ["runtime"], "publish_address", .string,
            help:
                "the host address agents' gateways are published on: loopback, or this node's private address (or 0.0.0.0) for a load balancer on another host (GET /api/cluster/routes)",
            fixed: "127.0.0.1"),
        ConfigurationKey(
            ["runtime"], "agent_channels", .string,
            help:
                "channel kinds the agent's image is built with: auto (by the official image's tag; any other image: all), all, or a list (telegram,discord,slack,whatsapp,matrix,email,webhook)",
            fixed: "auto"),
        ConfigurationKey(["runtime"], "port_range_start", .integer(port), help: "first host port", fixed: 32000),
        ConfigurationKey(["runtime"], "port_range_end", .integer(port), help: "last host port", fixed: 33999),
        ConfigurationKey(
            ["runtime"], "uid_range_start", .integer(1000...Int64(UInt32.max - 1)), help: "first tenant uid",
            fixed: 200_000),
        ConfigurationKey(
            ["runtime"], "uid_range_end", .integer(1000...Int64(UInt32.max - 1)), help: "last tenant uid",
            fixed: 265_535),
        ConfigurationKey(
            ["runtime"], "stop_timeout_seconds", .integer(0...3600), help: "SIGTERM to SIGKILL", fixed: 10),
        ConfigurationKey(
            ["runtime"], "health_timeout_seconds", .integer(1...3600),
            help: "how long a deploy waits for /health", fixed: 60),
        ConfigurationKey(
            ["runtime"], "deleted_retention_hours", .integer(nonNegative),
            help: "how long a deleted tenant's directory is kept", fixed: 72),
        ConfigurationKey(
            ["runtime"], "deploy_concurrency", .integer(1...64), help: "deploys and restarts run at once",
            fixed: 4),
        ConfigurationKey(
            ["runtime"], "reconcile_interval_seconds", .integer(1...86_400),
            help: "how often the runtime and the store are brought into agreement while serving", fixed: 300),
        ConfigurationKey(
            ["runtime"], "deploy_timeout_seconds", .integer(1...86_400),
            help: "a deploy not ended after this is finished (agent healthy) or failed by reconciliation",
            fixed: 600),
        ConfigurationKey(
            ["runtime"], "deploy_finish_attempts", .integer(1...50),
            help: "attempts at recording a deploy's end while the store refuses for a passing reason", fixed: 6),
        ConfigurationKey(
            ["runtime"], "exec_timeout_seconds", .integer(1...3600),
            help: "longest exec allowed (a request may ask for less)", fixed: 300),
    ]

    static let vault: [ConfigurationKey] = [
        ConfigurationKey(["vault"], "key_path", .string, help: "vault key file (mode 0600)", fixed: "./data/vault.key")
    ]

    static let alerts: [ConfigurationKey] = [
        ConfigurationKey(["alerts"], "enabled", .boolean, help: "evaluate the built-in rules", fixed: true),
        ConfigurationKey(
            ["alerts"], "evaluation_seconds", .integer(1...3600), help: "seconds between evaluations", fixed: 30),
        ConfigurationKey(
            ["alerts"], "runtime_outage_minutes", .integer(0...1440),
            help: "the container runtime unreachable for this long fires RuntimeUnavailable", fixed: 1),
        ConfigurationKey(
            ["alerts"], "health_error_minutes", .integer(positive), help: "tenants in error for this long",
            fixed: 5),
        ConfigurationKey(["alerts"], "cpu_pct", .number(1...100_000), help: "a tenant's CPU above this", fixed: 80.0),
        ConfigurationKey(["alerts"], "cpu_minutes", .integer(positive), help: "… for this long", fixed: 15),
        ConfigurationKey(
            ["alerts"], "disk_warning_pct", .number(1...100), help: "host disk use warning", fixed: 80.0),
        ConfigurationKey(
            ["alerts"], "disk_critical_pct", .number(1...100), help: "host disk use critical", fixed: 95.0),
    ]

    static let plans: [ConfigurationKey] = [
        ConfigurationKey(
            ["plans", "*"], "cpu_limit", .number(0.01...1024), help: "CPU cores", fixed: .float(Plan.standard.cpuLimit)),
        ConfigurationKey(
            ["plans", "*"], "memory", .size(minimum: 6 * 1_048_576), help: "memory (swap is set equal)",
            fixed: .integer(Plan.standard.memoryBytes)),
        ConfigurationKey(
            ["plans", "*"], "pids_limit", .integer(1...1_000_000), help: "processes",
            fixed: .integer(Plan.standard.pidsLimit)),
        ConfigurationKey(
            ["plans", "*"], "max_channels", .integer(nonNegative), help: "channels per tenant",
            fixed: .integer(Int64(Plan.standard.maxChannels))),
        ConfigurationKey(
            ["plans", "*"], "max_members", .integer(positive), help: "members per tenant",
            fixed: .integer(Int64(Plan.standard.maxMembers))),
        ConfigurationKey(
            ["plans", "*"], "max_messages_per_day", .integer(nonNegative), help: "messages per day",
            fixed: .integer(Int64(Plan.standard.maxMessagesPerDay))),
    ]

    static let auth: [ConfigurationKey] = [
        ConfigurationKey(["auth"], "otp_ttl_seconds", .integer(60...3600), help: "login code lifetime", fixed: 600),
        ConfigurationKey(
            ["auth"], "otp_max_attempts", .integer(1...100),
            help: "code requests and verifications per email per window", fixed: 5),
        ConfigurationKey(
            ["auth"], "otp_max_guesses", .integer(1...100), help: "guesses at one code before it is dead", fixed: 5),
        ConfigurationKey(
            ["auth"], "client_max_attempts", .integer(1...100_000),
            help: "code requests and verifications per client address per window", fixed: 20),
        ConfigurationKey(
            ["auth"], "global_max_attempts", .integer(1...10_000_000),
            help: "code requests and verifications of all clients together per window", fixed: 600),
        ConfigurationKey(["auth"], "otp_window_seconds", .integer(1...86_400), help: "the window", fixed: 300),
        ConfigurationKey(
            ["auth"], "print_login_codes", .boolean,
            help: "development only: print login codes on stderr (never logged); production mails them",
            fixed: false),
        ConfigurationKey(
            ["auth"], "session_ttl_hours", .integer(1...8_760), help: "session lifetime", fixed: 24),
        ConfigurationKey(
            ["auth"], "api_token_max_days", .integer(1...3_650), help: "longest API token lifetime", fixed: 365),
        ConfigurationKey(
            ["auth"], "bootstrap_token_days", .integer(1...3_650), help: "lifetime of the bootstrap token",
            fixed: 90),
        ConfigurationKey(
            ["auth"], "token_cache_ms", .integer(0...5_000),
            help:
                "how long a token's user and roles are reused without a store read; a revocation or role change on another node applies within it (0: read every request)",
            fixed: 1_000),
    ]

    static let cluster: [ConfigurationKey] = [
        ConfigurationKey(
            ["cluster"], "node_id", .string, help: "this node's stable name", rule: "the host name",
            default: { .string($0.hostName) }),
        ConfigurationKey(
            ["cluster"], "advertise_address", .string,
            help:
                "where other nodes reach this node's API: host:port or http://host:port (default server.host:server.port)",
            fixed: nil),
        ConfigurationKey(
            ["cluster"], "heartbeat_seconds", .integer(1...3600),
            help: "how often the node records itself; its heartbeat expires after as long, by the database's clock",
            fixed: 5),
        ConfigurationKey(
            ["cluster"], "node_down_seconds", .integer(1...86_400),
            help: "a node whose heartbeat expired this long ago is marked down", fixed: 20),
        ConfigurationKey(
            ["cluster"], "leader_lease_seconds", .integer(3...86_400),
            help: "how long the leader's lease runs; it stops acting as leader a renewal and a second before", fixed: 15
        ),
        ConfigurationKey(
            ["cluster"], "leader_renew_seconds", .integer(1...86_400),
            help: "how often the leader renews its lease (and other nodes try to take it)", fixed: 5),
        ConfigurationKey(
            ["cluster"], "memory_capacity", .size(minimum: 0),
            help: "memory this node offers its tenants (placement fills nodes up to it)",
            rule: "the host's RAM less a reserve of a tenth (at least 512 MiB)",
            default: { .integer(ClusterDefaults.memoryCapacity(hostMemory: $0.memoryBytes)) }),
        ConfigurationKey(
            ["cluster"], "self_fence_seconds", .integer(2...86_400),
            help:
                "a node that could not record its heartbeat this long stops its agents (the others may think it down), and starts them again once it can",
            fixed: 60),
        ConfigurationKey(
            ["cluster"], "moved_retention_hours", .integer(0...87_600),
            help: "how long a node keeps its copy of a tenant's directory after the tenant moved to another node",
            fixed: 72),
        ConfigurationKey(
            ["cluster"], "move_max_bytes", .size(minimum: 1),
            help:
                "the most file content a tenant's directory may hold to be moved (its files' sizes, a sparse file's counted whole); a move past it is refused before anything is sent",
            fixed: .integer(20 << 30)),
        ConfigurationKey(
            ["cluster"], "ingress_domain", .string,
            help:
                "the domain under which a load balancer serves each tenant's agent as {id}.{domain} (GET /api/cluster/routes)",
            fixed: nil),
        ConfigurationKey(
            ["cluster"], "placement", .choice(NodePlacement.Strategy.allCases.map(\.rawValue)),
            help:
                "where a deploy places a tenant that has no node: spread (the node with the most free memory) or binpack (the fullest node it fits on)",
            fixed: "spread"),
    ]

    static let objects: [ConfigurationKey] = [
        ConfigurationKey(
            ["objects"], "url", .string,
            help:
                "where tenant snapshots go off the node: s3://BUCKET/PREFIX/ or file:///MOUNTED/PATH (unset: nowhere)",
            fixed: nil),
        ConfigurationKey(
            ["objects"], "endpoint", .string,
            help: "an S3-compatible service's URL, http(s)://host[:port] (MinIO, Ceph RGW, R2); unset: AWS S3",
            fixed: nil),
        ConfigurationKey(
            ["objects"], "region", .string, help: "the S3 region signed for", fixed: "us-east-1"),
        ConfigurationKey(
            ["objects"], "access_key_id", .string, help: "S3 access key id (unset: AWS_ACCESS_KEY_ID)", fixed: nil),
        ConfigurationKey(
            ["objects"], "secret_access_key", .string, secret: true,
            help: "S3 secret access key (unset: AWS_SECRET_ACCESS_KEY); never logged", fixed: nil),
        ConfigurationKey(
            ["objects"], "addressing", .choice(PlatformConfiguration.Objects.Addressing.allCases.map(\.rawValue)),
            help:
                "path (s3 host/BUCKET/key), virtual (BUCKET.host/key), or auto: path with objects.endpoint, virtual on AWS",
            fixed: "auto"),
    ]

    static let backup: [ConfigurationKey] = [
        ConfigurationKey(
            ["backup"], "destination", .string,
            help:
                "where zcplatform backup writes when --output is not given: a directory, s3://BUCKET/PREFIX/ or file:///PATH",
            fixed: nil)
    ]

    /// Sections that hold named sub-tables (`[plans.NAME]`).
    static let namedSections: Set<String> = ["plans"]
}
