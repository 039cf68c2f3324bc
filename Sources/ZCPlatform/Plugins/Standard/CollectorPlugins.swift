import HealthChecker
import ResourceCollector
import UsageCollector
import ZCCore

/// The collectors of this build, as registrations.
enum CollectorPlugins {
    static let resource = CollectorPlugin(
        name: "resource", defaultInterval: 60, defaultRetentionDays: 7,
        keys: [
            ConfigurationKey(
                "rollup_retention_days", .integer(ConfigurationSchema.positive),
                help: "days of hourly roll-ups kept (the 7-day charts read them)", default: 90),
            ConfigurationKey(
                "disk_refresh_seconds", .integer(1...86_400),
                help: "how old a tenant's disk figure may grow before its directory is walked again", default: 300),
            ConfigurationKey(
                "disk_budget_milliseconds", .integer(1...600_000),
                help: "time each cycle may spend walking tenant directories", default: 2000),
            ConfigurationKey(
                "disk_max_depth", .integer(1...1024),
                help: "deepest a walk of a tenant directory goes (also the descriptors it holds open)", default: 64),
            ConfigurationKey(
                "disk_max_entries", .integer(1000...1_000_000_000),
                help: "entries a walk of one tenant directory counts before it stops with a partial size",
                default: 1_000_000),
        ]
    ) { context in
        let settings = context.settings
        return ResourceCollector(
            store: context.store, runtime: context.runtime,
            settings: ResourceCollector.Settings(
                nodeID: context.nodeID, interval: context.interval, concurrency: context.concurrency,
                timeout: context.timeout, diskRefresh: .seconds(try settings.int("disk_refresh_seconds")),
                diskBudget: .milliseconds(try settings.int("disk_budget_milliseconds")),
                diskMaxDepth: try settings.int("disk_max_depth"), diskMaxEntries: try settings.int("disk_max_entries")),
            metrics: context.metrics, logger: context.logger, directory: context.tenantDirectory)
    }

    static let usage = CollectorPlugin(
        name: "usage", defaultInterval: 300, defaultRetentionDays: 400,
        keys: [
            ConfigurationKey(
                "messages_metrics", .string,
                help: "counters of messages, first match wins; name{label=\"value\"} selects by label",
                default: "zeroclaw_messages_total,zeroclaw_channel_messages_total{direction=\"inbound\"}"),
            ConfigurationKey(
                "tokens_in_metrics", .string, help: "counters of input tokens, first match wins",
                default: "zeroclaw_tokens_total{direction=\"input\"},zeroclaw_tokens_input_total"),
            ConfigurationKey(
                "gap_horizon_seconds", .integer(60...31_536_000),
                help:
                    "usage counted across a longer gap (the platform down) goes in the hour of the scrape that found it, logged",
                default: 3600),
            ConfigurationKey(
                "tokens_out_metrics", .string, help: "counters of output tokens, first match wins",
                default: "zeroclaw_tokens_total{direction=\"output\"},zeroclaw_tokens_output_total"),
        ],
        validate: { settings throws(ConfigurationError) in
            for name in ["messages_metrics", "tokens_in_metrics", "tokens_out_metrics"] {
                _ = try settings.selectors(name)
            }
        }
    ) { context in
        let settings = context.settings
        return try UsageCollector(
            store: context.store,
            settings: UsageCollector.Settings(
                nodeID: context.nodeID, interval: context.interval, concurrency: context.concurrency,
                timeout: context.timeout, messages: try settings.selectors("messages_metrics"),
                tokensIn: try settings.selectors("tokens_in_metrics"),
                tokensOut: try settings.selectors("tokens_out_metrics"),
                gapHorizon: .seconds(try settings.int("gap_horizon_seconds")), agentHost: context.agentHost),
            board: context.healthBoard, metrics: context.metrics, logger: context.logger)
    }

    static let health = CollectorPlugin(
        name: "health", defaultInterval: 30,
        keys: [
            ConfigurationKey(
                "failures_before_restart", .integer(1...100),
                help: "consecutive failed probes before the one automatic restart", default: 3)
        ]
    ) { context in
        try HealthChecker(
            store: context.store, runtime: context.runtime, supervisor: context.supervisor, board: context.healthBoard,
            settings: HealthChecker.Settings(
                nodeID: context.nodeID, interval: context.interval, concurrency: context.concurrency,
                timeout: context.timeout, failuresBeforeRestart: try context.settings.int("failures_before_restart"),
                agentHost: context.agentHost),
            metrics: context.metrics, logger: context.logger)
    }
}
