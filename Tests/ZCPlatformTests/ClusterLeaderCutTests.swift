import Foundation
import TestSupport
import Testing

/// A leader cut off from PostgreSQL (its renewal stuck on a silent link) stops acting by time, before
/// another node can take the lease: proven from the two nodes' logs and the lease's term. Part of the
/// cluster suite, which runs one cluster at a time.
extension ClusterTests {
    @Test("a leader whose link to PostgreSQL goes silent stops acting before another node takes the lease")
    func cutLeaderStepsDown() async throws {
        let database = try TCPRelay.toPostgres()
        defer { database.stop() }
        let cluster = try await TestCluster.start(2, relays: ["n1": database])
        try await cluster.scoped {
            #expect(try await waitUntil(.seconds(20)) { try await cluster.leader(asking: "n2") == "n1" }, "n1 leads")
            database.cut(.silence)
            let took = try await waitUntil(.seconds(30), every: .milliseconds(100)) {
                Self.logTime(cluster.log(of: "n2"), containing: ["event=leader.elected", "term=2"]) != nil
            }
            #expect(took, "n2 takes the lease: \(cluster.log(of: "n2").suffix(2000))")
            let stopped = Self.logTime(cluster.log(of: "n1"), containing: ["event=leader.stopped_acting", "term=1"])
            let elected = Self.logTime(cluster.log(of: "n2"), containing: ["event=leader.elected", "term=2"])
            #expect(stopped != nil, "n1 says it stopped acting: \(cluster.log(of: "n1").suffix(2000))")
            if let stopped, let elected {
                #expect(stopped < elected, "n1 stopped acting (\(stopped)) before n2 led (\(elected))")
            }
            try database.restore()
        }
    }

    /// The `time=` of the first log line holding every one of `parts`.
    static func logTime(_ log: String, containing parts: [String]) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for line in log.split(separator: "\n") where parts.allSatisfy({ line.contains($0) }) {
            guard let field = line.split(separator: " ").first(where: { $0.hasPrefix("time=") }) else { continue }
            return formatter.date(from: String(field.dropFirst(5)))
        }
        return nil
    }
}
