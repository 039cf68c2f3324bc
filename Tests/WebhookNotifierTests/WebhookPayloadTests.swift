import Foundation
import Testing
import WebhookNotifier
import ZCCore
import ZCCrypto

/// What a receiver gets, in both formats, over a real connection.
@Suite("Webhook payloads")
struct WebhookPayloadTests {
    @Test("a POST of JSON with the content type, user agent, path and query of the configured URL")
    func requestShape() async throws {
        let receiver = RecordingReceiver()
        try await withReceiver(receiver) { base in
            let url = try #require(URL(string: "/hooks/zc?team=ops", relativeTo: base)?.absoluteURL)
            try await Fixtures.notifier(url).send(Fixtures.firing)
        }
        let request = try #require(receiver.requests.first)
        #expect(receiver.requests.count == 1)
        #expect(request.method == "POST")
        #expect(request.target == "/hooks/zc?team=ops")
        #expect(request.headers["Content-Type"] == "application/json")
        #expect(request.headers["User-Agent"] == "zcplatform-webhook/1")
    }

    @Test("json: kind, severity, title, body, labels and RFC 3339 times under snake_case keys")
    func json() async throws {
        let receiver = RecordingReceiver()
        try await withReceiver(receiver) { url in
            try await Fixtures.notifier(url).send(Fixtures.firing)
        }
        let object = try #require(try receiver.requests.first?.json())
        #expect(Set(object.keys) == ["kind", "severity", "title", "body", "labels", "at", "started_at"])
        #expect(object["kind"] as? String == "alert.firing")
        #expect(object["severity"] as? String == "warning")
        #expect(object["title"] as? String == "Disk almost full")
        #expect(object["body"] as? String == "node-1: /var is 91% full")
        #expect(object["labels"] as? [String: String] == ["alertname": "DiskAlmostFull", "node": "node-1"])
        #expect(object["at"] as? String == "2026-01-01T00:05:00Z")
        #expect(object["started_at"] as? String == "2026-01-01T00:00:00Z")
    }

    @Test("json: started_at is an explicit null when the notification has no start; long bodies arrive whole")
    func jsonNullStart() async throws {
        let receiver = RecordingReceiver()
        var notification = Fixtures.resolved
        notification.startedAt = nil
        notification.body = String(repeating: "0123456789abcdef", count: 1024)
        try await withReceiver(receiver) { url in
            try await Fixtures.notifier(url).send(notification)
        }
        let object = try #require(try receiver.requests.first?.json())
        #expect(object["kind"] as? String == "alert.resolved")
        #expect(object.keys.contains("started_at"))
        #expect(object["started_at"] is NSNull)
        #expect((object["body"] as? String)?.count == 16 * 1024)
    }

    @Test("alertmanager, firing: the version 4 webhook message with one alert that has not ended")
    func alertmanagerFiring() async throws {
        let receiver = RecordingReceiver()
        try await withReceiver(receiver) { url in
            try await Fixtures.notifier(url, format: .alertmanager, externalURL: "https://zc.example.com")
                .send(Fixtures.firing)
        }
        let message = try #require(try receiver.requests.first?.json())
        #expect(
            Set(message.keys) == [
                "version", "groupKey", "truncatedAlerts", "status", "receiver", "groupLabels", "commonLabels",
                "commonAnnotations", "externalURL", "alerts",
            ])
        #expect(message["version"] as? String == "4")
        #expect(message["groupKey"] as? String == "{}:{alertname=\"DiskAlmostFull\"}")
        #expect(message["truncatedAlerts"] as? Int == 0)
        #expect(message["status"] as? String == "firing")
        #expect(message["receiver"] as? String == "zcplatform")
        #expect(message["externalURL"] as? String == "https://zc.example.com")
        let labels = ["alertname": "DiskAlmostFull", "node": "node-1", "severity": "warning"]
        let annotations = ["summary": "Disk almost full", "description": "node-1: /var is 91% full"]
        #expect(message["groupLabels"] as? [String: String] == ["alertname": "DiskAlmostFull"])
        #expect(message["commonLabels"] as? [String: String] == labels)
        #expect(message["commonAnnotations"] as? [String: String] == annotations)
        let alerts = try #require(message["alerts"] as? [[String: Any]])
        #expect(alerts.count == 1)
        let alert = try #require(alerts.first)
        #expect(
            Set(alert.keys) == [
                "status", "labels", "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint",
            ])
        #expect(alert["status"] as? String == "firing")
        #expect(alert["labels"] as? [String: String] == labels)
        #expect(alert["annotations"] as? [String: String] == annotations)
        #expect(alert["startsAt"] as? String == "2026-01-01T00:00:00Z")
        #expect(alert["endsAt"] as? String == "0001-01-01T00:00:00Z")
        #expect(alert["generatorURL"] as? String == "https://zc.example.com")
        let fingerprint = try #require(alert["fingerprint"] as? String)
        #expect(fingerprint == Self.fingerprint(labels))
    }

    @Test("alertmanager, resolved: ends when resolved; the title stands in for a missing alertname")
    func alertmanagerResolved() async throws {
        let receiver = RecordingReceiver()
        var unnamed = Fixtures.resolved
        unnamed.labels = ["node": "node-1", "severity": "critical"]
        try await withReceiver(receiver) { url in
            let notifier = Fixtures.notifier(url, format: .alertmanager)
            try await notifier.send(Fixtures.resolved)
            try await notifier.send(Fixtures.firing)
            try await notifier.send(unnamed)
        }
        let messages = try receiver.requests.map { try $0.json() }
        try #require(messages.count == 3)
        let resolved = messages[0]
        #expect(resolved["status"] as? String == "resolved")
        #expect(resolved["externalURL"] as? String == "")
        let alert = try #require((resolved["alerts"] as? [[String: Any]])?.first)
        #expect(alert["status"] as? String == "resolved")
        #expect(alert["startsAt"] as? String == "2026-01-01T00:00:00Z")
        #expect(alert["endsAt"] as? String == "2026-01-01T01:00:00Z")
        #expect(alert["generatorURL"] as? String == "")
        let firingAlert = try #require((messages[1]["alerts"] as? [[String: Any]])?.first)
        #expect(alert["fingerprint"] as? String == firingAlert["fingerprint"] as? String, "the same alert")

        let unnamedAlert = try #require((messages[2]["alerts"] as? [[String: Any]])?.first)
        let unnamedLabels = ["alertname": "Disk almost full", "node": "node-1", "severity": "warning"]
        #expect(unnamedAlert["labels"] as? [String: String] == unnamedLabels, "severity is the notification's")
        #expect(messages[2]["groupKey"] as? String == "{}:{alertname=\"Disk almost full\"}")
        #expect(unnamedAlert["fingerprint"] as? String == Self.fingerprint(unnamedLabels))
        #expect(unnamedAlert["fingerprint"] as? String != alert["fingerprint"] as? String)
    }

    /// The first 8 bytes of SHA-256 over the labels sorted by name, each name and value followed by 0xFF.
    static func fingerprint(_ labels: [String: String]) -> String {
        var bytes: [UInt8] = []
        for name in labels.keys.sorted() { bytes += Array(name.utf8) + [0xFF] + Array(labels[name]!.utf8) + [0xFF] }
        return Array(SHA256Digest.hash(bytes)[0..<8]).hexString
    }
}
