import Foundation
import LogNotifier
import MailNotifier
import WebhookNotifier
import ZCCore

/// The notifiers of this build, as registrations.
enum NotifierPlugins {
    static let log = NotifierPlugin(name: "log", defaultEnabled: true, help: "log notifications") { context in
        LogNotifier(logger: context.logger.labeled("notifier"))
    }

    static let webhook = NotifierPlugin(
        name: "webhook", help: "POST notifications",
        keys: [
            ConfigurationKey("url", .string, help: "where to POST", default: nil),
            ConfigurationKey("secret", .string, secret: true, help: "HMAC-SHA256 signing secret", default: nil),
            ConfigurationKey("format", .choice(["json", "alertmanager"]), help: "payload shape", default: "json"),
            ConfigurationKey("max_attempts", .integer(1...20), help: "delivery attempts", default: 5),
        ],
        validate: { settings throws(ConfigurationError) in _ = try webhookURL(settings) }
    ) { context in
        let settings = context.settings
        guard let url = try webhookURL(settings) else {
            throw ConfigurationError("\(settings.qualified("url")) is required when the webhook notifier is enabled")
        }
        return WebhookNotifier(
            options: WebhookNotifierOptions(
                url: url, secret: try settings.optionalString("secret"),
                format: WebhookNotifierOptions.Format(rawValue: try settings.string("format")) ?? .json,
                maxAttempts: try settings.int("max_attempts"), externalURL: context.externalURL),
            logger: context.logger)
    }

    /// The webhook's URL, when set; required when enabled, and http or https.
    static func webhookURL(_ settings: PluginSettings) throws(ConfigurationError) -> URL? {
        let text = try settings.optionalString("url")
        if try settings.bool("enabled"), text == nil {
            throw ConfigurationError(
                "\(settings.qualified("url")) is required when \(settings.qualified("enabled")) is true")
        }
        guard let text else { return nil }
        guard let parsed = URL(string: text), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""),
            parsed.host != nil
        else {
            throw ConfigurationError("\(settings.qualified("url")) must be an http:// or https:// URL")
        }
        return parsed
    }

    static let mail = NotifierPlugin(
        name: "mail", deliversLoginCodes: true, help: "mail login codes (and alerts) by SMTP",
        keys: [
            ConfigurationKey("host", .string, help: "SMTP submission server", default: nil),
            ConfigurationKey(
                "port", .integer(0...65535), help: "its port (0: 587 for starttls, 465 for tls, 25 for none)",
                default: 0),
            ConfigurationKey(
                "tls", .choice(["starttls", "tls", "none"]),
                help: "starttls (587), tls (implicit, 465), or none (plain text, loopback hosts only)",
                default: "starttls"),
            ConfigurationKey("username", .string, help: "SMTP AUTH account", default: nil),
            ConfigurationKey("password", .string, secret: true, help: "SMTP AUTH password", default: nil),
            ConfigurationKey(
                "from", .string, help: "the sender: addr@example.com or Name <addr@example.com>", default: nil),
            ConfigurationKey(
                "alerts_to", .string,
                help: "comma-separated addresses that get alerts (empty: alerts are not mailed)", default: ""),
            ConfigurationKey(
                "ca_file", .string, help: "PEM certificates to trust besides the system's (a private CA)",
                default: nil),
            ConfigurationKey("timeout_seconds", .integer(1...600), help: "one delivery attempt", default: 30),
            ConfigurationKey(
                "max_attempts", .integer(1...20), help: "delivery attempts (transient failures)", default: 3),
        ],
        validate: { settings throws(ConfigurationError) in
            guard try settings.bool("enabled") else { return }
            do {
                try mailOptions(settings).validate()
            } catch {
                throw ConfigurationError("notifiers.mail: \(error)")
            }
        }
    ) { context in
        try MailNotifier(options: try mailOptions(context.settings), logger: context.logger.labeled("notifier"))
    }

    /// The mail notifier's options from its table; `validate()` says what cannot work.
    static func mailOptions(_ settings: PluginSettings) throws(ConfigurationError) -> MailNotifierOptions {
        guard let host = try settings.optionalString("host") else {
            throw ConfigurationError("\(settings.qualified("host")) is required when mail is enabled")
        }
        guard let from = try settings.optionalString("from") else {
            throw ConfigurationError("\(settings.qualified("from")) is required when mail is enabled")
        }
        let port = try settings.int("port")
        return MailNotifierOptions(
            host: host, port: port == 0 ? nil : port,
            tls: MailNotifierOptions.TLSMode(rawValue: try settings.string("tls")) ?? .starttls,
            username: try settings.optionalString("username"), password: try settings.optionalString("password"),
            from: from, alertRecipients: try settings.list("alerts_to"), caFile: try settings.optionalString("ca_file"),
            timeout: .seconds(try settings.int("timeout_seconds")), maxAttempts: try settings.int("max_attempts"))
    }
}
