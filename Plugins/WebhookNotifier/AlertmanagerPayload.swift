import Foundation
import ZCCore
import ZCCrypto

/// The body of the `alertmanager` format: what Prometheus Alertmanager POSTs to a `webhook_config`
/// receiver (protocol version 4), holding this one notification as a group of one alert.
///
/// Field names and shapes follow Alertmanager's `webhook.Message` and `template.Data`: `version`,
/// `groupKey`, `truncatedAlerts`, `status`, `receiver`, `groupLabels`, `commonLabels`, `commonAnnotations`,
/// `externalURL`, and `alerts` of `status`, `labels`, `annotations`, `startsAt`, `endsAt`, `generatorURL`,
/// `fingerprint`. Labels always hold `alertname` (the title when the notification has none) and `severity`;
/// annotations are `summary` (the title) and `description` (the body). A firing alert ends at
/// `0001-01-01T00:00:00Z`, Go's zero time, as Alertmanager writes it.
struct AlertmanagerPayload: Encodable {
    struct Alert: Encodable {
        var status: String
        var labels: [String: String]
        var annotations: [String: String]
        var startsAt: String
        var endsAt: String
        var generatorURL: String
        var fingerprint: String
    }

    var version = "4"
    var groupKey: String
    var truncatedAlerts = 0
    var status: String
    var receiver = "zcplatform"
    var groupLabels: [String: String]
    var commonLabels: [String: String]
    var commonAnnotations: [String: String]
    var externalURL: String
    var alerts: [Alert]

    /// How Alertmanager writes an unset end time.
    static let zeroTime = "0001-01-01T00:00:00Z"

    init(_ notification: ZCCore.Notification, externalURL: String?) {
        var labels = notification.labels
        if labels["alertname"]?.isEmpty ?? true { labels["alertname"] = notification.title }
        labels["severity"] = notification.severity.rawValue
        let alertname = labels["alertname"] ?? notification.title
        let annotations = ["summary": notification.title, "description": notification.body]
        let resolved = notification.kind == .alertResolved
        status = resolved ? "resolved" : "firing"
        groupLabels = ["alertname": alertname]
        groupKey = "{}:" + Self.labelSetText(groupLabels)
        commonLabels = labels
        commonAnnotations = annotations
        self.externalURL = externalURL ?? ""
        alerts = [
            Alert(
                status: status, labels: labels, annotations: annotations,
                startsAt: (notification.startedAt ?? notification.at).iso8601,
                endsAt: resolved ? notification.at.iso8601 : Self.zeroTime, generatorURL: externalURL ?? "",
                fingerprint: Self.fingerprint(labels))
        ]
    }

    /// 16 hexadecimal digits identifying a label set: the first 8 bytes of the SHA-256 of its pairs sorted by
    /// name, each name and value followed by 0xFF (a byte UTF-8 never holds). Stable across restarts, equal
    /// for equal labels; not Alertmanager's own FNV-based value, which receivers only compare.
    static func fingerprint(_ labels: [String: String]) -> String {
        var bytes: [UInt8] = []
        for (name, value) in labels.sorted(by: { $0.key < $1.key }) {
            bytes += Array(name.utf8) + [0xFF] + Array(value.utf8) + [0xFF]
        }
        return Array(SHA256Digest.hash(bytes).prefix(8)).hexString
    }

    /// A label set as Prometheus prints one, `{name="value", …}`, sorted, values quoted and escaped.
    static func labelSetText(_ labels: [String: String]) -> String {
        let pairs = labels.sorted { $0.key < $1.key }.map { name, value in
            var escaped = value.replacingOccurrences(of: "\\", with: "\\\\")
            escaped = escaped.replacingOccurrences(of: "\"", with: "\\\"")
            escaped = escaped.replacingOccurrences(of: "\n", with: "\\n")
            return "\(name)=\"\(escaped)\""
        }
        return "{" + pairs.joined(separator: ", ") + "}"
    }
}
