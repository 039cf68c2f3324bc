import ZCCore

/// The body of the `json` format: the notification as a flat object with snake_case keys, times in RFC 3339.
///
/// ```json
/// {"at": "2026-01-31T12:05:00Z", "body": "…", "kind": "alert.firing", "labels": {"alertname": "NodeDown"},
///  "severity": "critical", "started_at": "2026-01-31T12:00:00Z", "title": "…"}
/// ```
///
/// `started_at` is always present, `null` for notifications that are not alerts. The recipient is never
/// sent: fleet alerts have none, and personal messages are not delivered by webhook.
struct JSONPayload: Encodable {
    var kind: String
    var severity: String
    var title: String
    var body: String
    var labels: [String: String]
    var at: String
    var startedAt: String?

    init(_ notification: Notification) {
        kind = notification.kind.rawValue
        severity = notification.severity.rawValue
        title = notification.title
        body = notification.body
        labels = notification.labels
        at = notification.at.iso8601
        startedAt = notification.startedAt?.iso8601
    }

    enum CodingKeys: String, CodingKey {
        case kind, severity, title, body, labels, at
        case startedAt = "started_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(severity, forKey: .severity)
        try container.encode(title, forKey: .title)
        try container.encode(body, forKey: .body)
        try container.encode(labels, forKey: .labels)
        try container.encode(at, forKey: .at)
        // Explicit null rather than an absent key, so receivers see the same keys on every message.
        try container.encode(startedAt, forKey: .startedAt)
    }
}
