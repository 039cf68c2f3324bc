import Foundation
import Synchronization
import TestSupport
import Testing
import ZCCore

@testable import ZCPlatform

/// A collector and a notifier registered from outside: their keys are loaded, checked and documented
/// like the platform's own, and a key read by a misspelt name is an error, never a silent 0.
@Suite("Plugin registry")
struct PluginRegistryTests {
    struct Probe: Collector {
        let name = "queue_depth"
        let interval: Duration
        func collect() async throws -> CollectionReport { CollectionReport(targets: 0) }
    }

    struct Quiet: Notifier {
        let name = "pager"
        func send(_ notification: ZCCore.Notification) async throws {}
    }

    static let made = Mutex<[String]>([])

    static var registry: PluginRegistry {
        var registry = PluginRegistry.standard
        registry.register(
            CollectorPlugin(
                name: "queue_depth", defaultInterval: 45, defaultRetentionDays: 3,
                keys: [
                    ConfigurationKey("threshold", .integer(1...10), help: "depth that counts as deep", default: 5),
                    ConfigurationKey("queue", .string, help: "queue to watch", default: nil),
                ],
                validate: { settings throws(ConfigurationError) in
                    if try settings.optionalString("queue") == "forbidden" {
                        throw ConfigurationError("\(settings.qualified("queue")): that queue is not watched")
                    }
                }
            ) { context in Probe(interval: context.interval) })
        registry.register(
            NotifierPlugin(
                name: "pager", help: "page someone",
                keys: [ConfigurationKey("token", .string, secret: true, help: "pager token", default: nil)]
            ) { context in
                let token = try context.settings.optionalString("token") ?? "none"
                made.withLock { $0.append(token) }
                return Quiet()
            })
        return registry
    }

    func load(
        _ toml: String?, environment: [String: String] = [:], registry: PluginRegistry = Self.registry
    ) throws -> PlatformConfiguration {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var path: String?
        if let toml {
            path = directory.file("zcplatform.toml")
            try Data(toml.utf8).write(to: URL(fileURLWithPath: path!))
        }
        return try ConfigurationLoader.load(
            explicitPath: path, environment: environment, context: ConfigurationTests.noDocker,
            workingDirectory: directory.path, registry: registry)
    }

    @Test("a registered collector's keys: defaults, the file, the environment, ranges, its own checks")
    func collectorKeys() throws {
        let defaults = try load(nil)
        #expect(
            defaults.collectors["queue_depth"]
                == .init(enabled: true, intervalSeconds: 45, concurrency: 32, timeoutSeconds: 10, retentionDays: 3))
        #expect(try defaults.settings("collectors.queue_depth").int("threshold") == 5)
        #expect(try defaults.settings("collectors.queue_depth").optionalString("queue") == nil)

        let configured = try load(
            "[collectors.queue_depth]\ninterval_seconds = 5\nthreshold = 7\n",
            environment: ["ZCPLATFORM_COLLECTORS_QUEUE_DEPTH_QUEUE": "inbound"])
        #expect(configured.collectors["queue_depth"]?.intervalSeconds == 5)
        #expect(try configured.settings("collectors.queue_depth").int("threshold") == 7)
        #expect(try configured.settings("collectors.queue_depth").optionalString("queue") == "inbound")

        #expect(throws: ConfigurationError.self) { try load("[collectors.queue_depth]\nthreshold = 11\n") }
        do {
            _ = try load("[collectors.queue_depth]\nthreshold = 11\n")
        } catch let error as ConfigurationError {
            #expect(error.message.contains("collectors.queue_depth.threshold must be an integer from 1 to 10"))
        }
        do {
            _ = try load("[collectors.queue_depth]\nthresold = 3\n")
            Issue.record("a misspelt key in the file was accepted")
        } catch let error as ConfigurationError {
            #expect(error.message.contains("did you mean 'collectors.queue_depth.threshold'"), "\(error.message)")
        }
        do {
            _ = try load("[collectors.queue_depth]\nqueue = \"forbidden\"\n")
            Issue.record("the collector's own check did not run")
        } catch let error as ConfigurationError {
            #expect(error.message == "collectors.queue_depth.queue: that queue is not watched")
        }
        // Without the plugin, its table is unknown.
        #expect(throws: ConfigurationError.self) {
            try load("[collectors.queue_depth]\nthreshold = 7\n", registry: .standard)
        }
    }

    @Test("a key read by a misspelt name is an error naming it, never 0, \"\" or false")
    func misspeltRead() throws {
        let configuration = try load(nil)
        let health = configuration.settings("collectors.health")
        #expect(try health.int("failures_before_restart") == 3)
        do {
            _ = try health.int("failures_befor_restart")
            Issue.record("a misspelt name read a value")
        } catch {
            #expect(
                error.message
                    == "collectors.health.failures_befor_restart is not a configuration key (read by a misspelt name)")
        }
        #expect(throws: ConfigurationError.self) { try configuration.settings("").bool("server.acess_log") }
        #expect(throws: ConfigurationError.self) { try configuration.settings("").string("cluster.node") }
        // An optional key without a value is nil; read as required it is an error, not "".
        #expect(try configuration.settings("notifiers.pager").optionalString("token") == nil)
        #expect(throws: ConfigurationError.self) { try configuration.settings("notifiers.pager").string("token") }
    }

    @Test("collectors and notifiers are made from their registrations, only when enabled")
    func factories() async throws {
        let enabled = try load("[notifiers.pager]\nenabled = true\ntoken = \"pg-secret-1\"\n")
        Self.made.withLock { $0.removeAll() }
        _ = try Self.registry.makeNotifier(enabled, logger: .disabled)
        #expect(Self.made.withLock { $0 } == ["pg-secret-1"])
        _ = try Self.registry.makeNotifier(try load(nil), logger: .disabled)
        #expect(Self.made.withLock { $0 } == ["pg-secret-1"], "a disabled notifier is not made")
        #expect(!enabled.renderedTOML().contains("pg-secret-1"), "its secret key is redacted by config check")
    }

    @Test("the reference documents registered keys beside the platform's")
    func reference() {
        let markdown = ConfigurationReference.markdown(Self.registry)
        #expect(
            markdown.contains(
                "| `collectors.queue_depth.threshold` | integer 1…10 | `5` | `ZCPLATFORM_COLLECTORS_QUEUE_DEPTH_THRESHOLD` | depth that counts as deep |"
            ))
        #expect(markdown.contains("`notifiers.pager.token`") && markdown.contains("pager token (secret"))
        #expect(!ConfigurationReference.markdown().contains("queue_depth"))
    }

    @Test("stores are opened one way; what a driver is, it declares: a database file, its lock, its locators")
    func storeDrivers() async throws {
        let registry = PluginRegistry.standard
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let configuration = try load("[store]\npath = \"\(directory.file("zc.db"))\"\n")
        let file = try #require(registry.databaseFile(of: configuration))
        #expect(file.path == directory.file("zc.db"))
        let lock = try file.driver.lock(file.path)
        #expect(file.driver.holder(file.path) == getpid())
        #expect(throws: BackupError.self) { try file.driver.lock(file.path) }
        withExtendedLifetime(lock) {}

        var server = configuration
        server.store.driver = "postgres"
        server.store.url = "postgres://zc:pw@db.internal/zc"
        #expect(registry.databaseFile(of: server) == nil, "a database server has no file, no lock")
        #expect(registry.describeStore(server) == "postgres://<redacted>@db.internal/zc")

        let located = try await registry.openStore(configuration, at: directory.file("other.db"), logger: .disabled)
        #expect(located.driver == "sqlite")
        await located.close()
        #expect(FileManager.default.fileExists(atPath: directory.file("other.db")))
        for locator in ["", "mysql://db/zc"] {
            await #expect(throws: ConfigurationError.self) {
                _ = try await registry.openStore(configuration, at: locator, logger: .disabled)
            }
        }
    }
}
