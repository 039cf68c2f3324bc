import Foundation
import TestSupport
import Testing
import ZCCore
import ZCTOML

@testable import ZCPlatform

@Suite("Configuration: defaults, file, environment, refusals")
struct ConfigurationTests {
    static let noDocker = ConfigurationContext(
        dockerSocketExists: false, zeroclawOnPath: false, executableDirectory: "/opt/zc/bin", hostName: "node-1")

    func load(
        _ toml: String? = nil, environment: [String: String] = [:], context: ConfigurationContext = noDocker
    ) throws -> PlatformConfiguration {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        if let toml {
            try Data(toml.utf8).write(to: URL(fileURLWithPath: directory.file("zcplatform.toml")))
        }
        return try ConfigurationLoader.load(
            explicitPath: nil, environment: environment, context: context, workingDirectory: directory.path)
    }

    func refusal(_ toml: String?, environment: [String: String] = [:]) -> String {
        do {
            _ = try load(toml, environment: environment)
            return "accepted"
        } catch let error as ConfigurationError {
            return error.message
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test("with no file and no variables every key has its single-node default")
    func defaults() throws {
        let configuration = try load()
        #expect(configuration.file == nil)
        #expect(configuration.server.host == "127.0.0.1")
        #expect(configuration.server.port == 8080)
        #expect(configuration.store.driver == "sqlite")
        #expect(configuration.store.path == "./data/zcplatform.db")
        #expect(configuration.store.url == nil)
        #expect(configuration.runtime.driver == "process")
        #expect(configuration.runtime.dockerSocket == "/var/run/docker.sock")
        #expect(configuration.runtime.dataDirectory == "./data/tenants")
        #expect(configuration.runtime.image == "ghcr.io/zeroclaw-labs/zeroclaw:latest")
        #expect(configuration.runtime.agentCommand == "/opt/zc/bin/zcagent-sim")
        #expect(configuration.vaultKeyPath == "./data/vault.key")
        #expect(configuration.collectors["resource"]?.intervalSeconds == 60)
        #expect(configuration.collectors["resource"]?.retentionDays == 7)
        #expect(configuration.collectors["usage"]?.intervalSeconds == 300)
        #expect(configuration.collectors["health"]?.intervalSeconds == 30)
        #expect(try configuration.settings("collectors.health").int("failures_before_restart") == 3)
        #expect(configuration.plans["default"] == Plan.standard)
        #expect(configuration.cluster.nodeID == "node-1")
        #expect(
            try configuration.settings("collectors.usage").selectors("tokens_in_metrics").map(\.description) == [
                "zeroclaw_tokens_total{direction=\"input\"}", "zeroclaw_tokens_input_total",
            ])
        #expect(
            try configuration.settings("collectors.usage").selectors("messages_metrics").map(\.description) == [
                "zeroclaw_messages_total", "zeroclaw_channel_messages_total{direction=\"inbound\"}",
            ])
        #expect(try configuration.settings("collectors.resource").int("rollup_retention_days") == 90)
        let quoted = try ConfigurationLoader.load(
            explicitPath: nil,
            environment: [
                "ZCPLATFORM_COLLECTORS_USAGE_MESSAGES_METRICS": #"a_total{x="1,}",y="2"},b_total"#
            ], context: Self.noDocker, workingDirectory: "/")
        let selectors = try quoted.settings("collectors.usage").selectors("messages_metrics")
        #expect(
            selectors.map(\.description) == [#"a_total{x="1,}",y="2"}"#, "b_total"],
            "a comma or brace inside a quoted label value does not split the list")
    }

    @Test("runtime and agent defaults follow the machine")
    func machineDefaults() throws {
        let docker = ConfigurationContext(
            dockerSocketExists: true, zeroclawOnPath: true, executableDirectory: "/x", hostName: "h")
        let configuration = try load(context: docker)
        #expect(configuration.runtime.driver == "docker")
        #expect(configuration.runtime.agentCommand == "zeroclaw daemon")
    }

    @Test("as root with no Docker socket, no runtime is chosen: the platform refuses to start, naming the way out")
    func rootWithoutDocker() async throws {
        let root = ConfigurationContext(
            dockerSocketExists: false, zeroclawOnPath: false, executableDirectory: "/x", hostName: "h",
            runsAsRoot: true)
        let configuration = try load(context: root)
        #expect(configuration.runtime.driver == "")
        #expect(configuration.runtime.processExec == false, "exec under the process runtime is off as root")
        #expect {
            _ = try PluginRegistry.standard.makeRuntime(configuration, logger: .disabled)
        } throws: { error in
            let message = (error as? ConfigurationError)?.message ?? ""
            return message.contains("will not fall back to the process runtime")
                && message.contains("runtime.driver = \"process\"") && message.contains("/var/run/docker.sock")
        }
        let chosen = try load(environment: ["ZCPLATFORM_RUNTIME_DRIVER": "process"], context: root)
        #expect(chosen.runtime.driver == "process" && !chosen.runtime.processExec)
        let docker = ConfigurationContext(
            dockerSocketExists: true, zeroclawOnPath: false, executableDirectory: "/x", hostName: "h",
            runsAsRoot: true)
        #expect(try load(context: docker).runtime.driver == "docker")
        #expect(try load().runtime.processExec == true, "not root: exec allowed by default")
    }

    @Test("driver = docker with no socket at docker_socket is a clear startup error")
    func dockerWithoutSocket() throws {
        let configuration = try load(
            environment: [
                "ZCPLATFORM_RUNTIME_DRIVER": "docker", "ZCPLATFORM_RUNTIME_DOCKER_SOCKET": "/nonexistent/docker.sock",
            ])
        #expect {
            _ = try PluginRegistry.standard.makeRuntime(configuration, logger: .disabled)
        } throws: { error in
            (error as? ConfigurationError)?.message.contains(
                "runtime.driver is \"docker\" but there is no Docker socket at /nonexistent/docker.sock") == true
        }
    }

    @Test("the file overrides defaults; variables override the file")
    func precedence() throws {
        let toml = """
            [server]
            port = 9090
            host = "0.0.0.0"
            [store]
            path = "/var/lib/zcplatform/zcplatform.db"
            [collectors.resource]
            interval_seconds = 15
            [plans.starter]
            memory = "128MiB"
            cpu_limit = 0.25
            [plans.default]
            max_channels = 9
            """
        let configuration = try load(
            toml,
            environment: [
                "ZCPLATFORM_SERVER_PORT": "7070", "ZCPLATFORM_PLANS_STARTER_PIDS_LIMIT": "64",
                "ZCPLATFORM_SERVER_METRICS_PUBLIC": "false", "HOME": "/root", "ZCPLATFORM_CONFIG": "",
            ])
        #expect(configuration.server.port == 7070)
        #expect(configuration.server.host == "0.0.0.0")
        #expect(configuration.server.metricsPublic == false)
        #expect(configuration.store.path == "/var/lib/zcplatform/zcplatform.db")
        #expect(configuration.collectors["resource"]?.intervalSeconds == 15)
        #expect(configuration.plans["starter"]?.memoryBytes == Int64(128 * 1_048_576))
        #expect(configuration.plans["starter"]?.cpuLimit == 0.25)
        #expect(configuration.plans["starter"]?.pidsLimit == 64)
        #expect(configuration.plans["default"]?.maxChannels == 9)
        #expect(configuration.sources["server.port"] == "environment")
        #expect(configuration.sources["server.host"]?.hasSuffix("zcplatform.toml") == true)
    }

    @Test("ZCPLATFORM_DB_PATH is an alias of ZCPLATFORM_STORE_PATH, which wins when both are set")
    func alias() throws {
        #expect(try load(environment: ["ZCPLATFORM_DB_PATH": "/a.db"]).store.path == "/a.db")
        #expect(
            try load(environment: ["ZCPLATFORM_DB_PATH": "/a.db", "ZCPLATFORM_STORE_PATH": "/b.db"]).store.path
                == "/b.db")
    }

    @Test("--config and ZCPLATFORM_CONFIG name the file; a missing one is an error")
    func explicitFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("custom.toml")
        try Data("[server]\nport = 1234\n".utf8).write(to: URL(fileURLWithPath: path))
        let explicit = try ConfigurationLoader.load(
            explicitPath: path, environment: [:], context: Self.noDocker, workingDirectory: "/")
        #expect(explicit.server.port == 1234)
        #expect(explicit.file == path)
        let fromVariable = try ConfigurationLoader.load(
            explicitPath: nil, environment: ["ZCPLATFORM_CONFIG": path], context: Self.noDocker, workingDirectory: "/")
        #expect(fromVariable.server.port == 1234)
        #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(
                explicitPath: directory.file("missing.toml"), environment: [:], context: Self.noDocker,
                workingDirectory: "/")
        }
        let empty = try ConfigurationLoader.load(
            explicitPath: "/dev/null", environment: [:], context: Self.noDocker, workingDirectory: "/")
        #expect(empty.server.port == 8080, "an empty file means every default")
    }

    @Test(
        "refusals name the key and what is wrong",
        arguments: [
            ("[server]\nprot = 1\n", "unknown key 'server.prot' (did you mean 'server.port'?)"),
            ("[sever]\nport = 1\n", "unknown section [sever]"),
            ("[server]\nport = \"80\"\n", "server.port must be an integer from 0 to 65535 (found a string)"),
            ("[server]\nport = 70000\n", "server.port must be an integer from 0 to 65535 (found the integer 70000)"),
            ("[server]\nlog_level = \"loud\"\n", "server.log_level must be one of"),
            ("server = 1\n", "'server' must be a table"),
            ("colour = \"red\"\n", "unknown key 'colour'"),
            ("[collectors.frobnicator]\nenabled = true\n", "unknown section [collectors.frobnicator]"),
            ("[plans.Big]\ncpu_limit = 1\n", "plan name 'Big'"),
            ("[plans.tiny]\nmemory = \"1MiB\"\n", "plans.tiny.memory must be a size of at least"),
            ("[plans.odd]\nmemory = \"lots\"\n", "plans.odd.memory must be a size"),
            ("[runtime]\nport_range_start = 40000\nport_range_end = 30000\n", "runtime.port_range_start (40000)"),
            ("[store]\ndriver = \"postgres\"\n", "store.url is required"),
            (
                "[runtime]\npublish_address = \"my-host\"\n",
                "runtime.publish_address: \"my-host\" is not an IPv4 address"
            ),
            ("[notifiers.webhook]\nenabled = true\n", "notifiers.webhook.url is required"),
            ("[server]\nport = 80\nport = 81\n", "line 3, column 1"),
            ("[server\n", "line 1, column 8"),
            (
                "[collectors.usage]\nmessages_metrics = \"ok_total,bad name\"\n",
                "collectors.usage.messages_metrics: not a metric selector"
            ),
            ("[collectors.usage]\ntokens_in_metrics = \"\"\n", "collectors.usage.tokens_in_metrics: give at least one"),
        ])
    func refusals(_ toml: String, _ expected: String) {
        let message = refusal(toml)
        #expect(message.contains(expected), "\(message)")
        #expect(
            message.contains("zcplatform.toml") || message.hasPrefix("runtime.") || message.hasPrefix("store.")
                || message.hasPrefix("notifiers.") || message.hasPrefix("collectors."), "names the file: \(message)")
    }

    @Test(
        "variables are checked like the file",
        arguments: [
            (["ZCPLATFORM_SERVER_PORT": "eighty"], "ZCPLATFORM_SERVER_PORT (server.port) must be an integer"),
            (["ZCPLATFORM_SERVR_PORT": "1"], "unknown variable ZCPLATFORM_SERVR_PORT (did you mean"),
            (["ZCPLATFORM_COLLECTORS_RESOURCE_ENABLED": "perhaps"], "must be true or false"),
        ])
    func environmentRefusals(_ environment: [String: String], _ expected: String) {
        let message = refusal(nil, environment: environment)
        #expect(message.contains(expected), "\(message)")
    }

    @Test("the rendered configuration is valid TOML, redacts secrets and shows every key")
    func rendering() throws {
        let configuration = try load(
            "[notifiers.webhook]\nenabled = true\nurl = \"https://bot:tok-3@hooks.example.com/zc?token=tok-9#x\"\nsecret = \"hunter2-webhook\"\n",
            environment: [
                "ZCPLATFORM_STORE_URL": "postgres://app:pg-pa55word@db.internal:5432/zc?sslmode=require&password=again"
            ])
        let text = configuration.renderedTOML()
        #expect(!text.contains("hunter2-webhook"))
        #expect(!text.contains("pg-pa55word"))
        #expect(!text.contains("again"))
        #expect(text.contains("postgres://<redacted>@db.internal:5432/zc?<redacted>"))
        #expect(!text.contains("tok-3") && !text.contains("tok-9"), "any URL loses its userinfo and query")
        #expect(text.contains("https://<redacted>@hooks.example.com/zc?<redacted>#x"))
        let decoded = try TOML.decode(text)
        #expect(decoded.value(atPath: ["server", "port"]) == .integer(8080))
        #expect(decoded.value(atPath: ["plans", "default", "memory"]) == .integer(Plan.standard.memoryBytes))
        let keys = ConfigurationSchema.keys(.standard)
        for key in keys where !key.section.contains("*") && key.defaultValue(Self.noDocker) != nil {
            #expect(decoded.value(atPath: key.section + [key.name]) != nil, "\(key.dottedName) is shown")
        }
    }

    @Test("URLs shown without userinfo or query; libpq keyword strings without the password")
    func urlRedaction() {
        #expect(URLRedaction.redacting("https://hooks.example.com/a/b") == "https://hooks.example.com/a/b")
        #expect(URLRedaction.redacting("https://u:p@h:1/p?q=1#f") == "https://<redacted>@h:1/p?<redacted>#f")
        #expect(URLRedaction.redacting("https://h?token=x") == "https://h?<redacted>")
        #expect(URLRedaction.redacting("postgres://a@b@h/zc") == "postgres://<redacted>@h/zc")
        #expect(
            URLRedaction.redacting("host=db user=zc password=s3cret dbname=zc")
                == "host=db user=zc password=<redacted> dbname=zc")
    }

    @Test("sizes for people")
    func sizes() {
        #expect(ByteSize.parse("256MiB") == 268_435_456)
        #expect(ByteSize.parse("1.5 GiB") == 1_610_612_736)
        #expect(ByteSize.parse("512MB") == 512_000_000)
        #expect(ByteSize.parse("64k") == 64_000)
        #expect(ByteSize.parse("1024") == 1024)
        #expect(ByteSize.parse("lots") == nil)
        #expect(ByteSize.parse("-1MiB") == nil)
        #expect(ByteSize.format(268_435_456) == "256 MiB")
        #expect(ByteSize.format(1_610_612_736) == "1.5 GiB")
        #expect(ByteSize.format(100) == "100 B")
    }
}
