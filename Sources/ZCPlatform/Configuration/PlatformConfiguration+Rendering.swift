import Foundation
import ZCTOML

extension PlatformConfiguration {
    /// The effective configuration as TOML, secrets redacted, each key commented with its origin.
    public func renderedTOML() -> String {
        var sections: [String: [(String, TOMLValue)]] = [:]
        for (name, value) in values {
            let parts = name.split(separator: ".").map(String.init)
            let section = parts.dropLast().joined(separator: ".")
            sections[section, default: []].append((parts.last ?? name, redact(name, value)))
        }
        var lines: [String] = []
        lines.append("# zcplatform effective configuration")
        lines.append("# file: \(file ?? "none (defaults)")")
        for section in sections.keys.sorted() {
            lines.append("")
            lines.append("[\(section)]")
            for (key, value) in sections[section, default: []].sorted(by: { $0.0 < $1.0 }) {
                let text = TOML.encode(TOMLTable([(key, value)])).trimmingWhitespace()
                let origin = sources["\(section).\(key)"].map { "  # from \($0)" } ?? ""
                lines.append(text + origin)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func redact(_ name: String, _ value: TOMLValue) -> TOMLValue {
        let pattern = ConfigurationLoader.patternPath(name.split(separator: ".").map(String.init).dropLast())
        let key = name.split(separator: ".").last.map(String.init) ?? name
        guard
            let schema = ConfigurationSchema.keys.first(where: {
                $0.section.joined(separator: ".") == pattern && $0.name == key
            }), schema.secret, case .string(let text) = value
        else { return value }
        if name == "store.url" { return .string(PostgresURL.redacting(text)) }
        return .string("<redacted>")
    }
}

/// Shows a PostgreSQL URL without its password: `postgres://app:<redacted>@db:5432/zc`.
public enum PostgresURL {
    public static func redacting(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url.range(of: "@", options: .backwards) else {
            return url.contains("password=") ? "<redacted>" : url
        }
        let credentials = url[scheme.upperBound..<at.lowerBound]
        var result = url
        if let colon = credentials.firstIndex(of: ":") {
            result.replaceSubrange(url.index(after: colon)..<at.lowerBound, with: "<redacted>")
        }
        if result.contains("password=") {
            result = result.split(separator: "&", omittingEmptySubsequences: false).map { part in
                part.contains("password=") ? part.prefix { $0 != "=" } + "=<redacted>" : part
            }.joined(separator: "&")
        }
        return result
    }
}
