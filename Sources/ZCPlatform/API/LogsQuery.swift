import ZCHTTP

/// `?tail=N&follow=1&timestamps=1`, checked.
struct LogsQuery {
    let tail: Int
    let follow: Bool
    let timestamps: Bool

    init(_ request: HTTPRequest) throws {
        let raw = request.queryParameter("tail") ?? "100"
        guard let tail = Int(raw), (1...1000).contains(tail) else {
            throw HTTPError(.badRequest, "tail must be a number from 1 to 1000")
        }
        self.tail = tail
        follow = try Self.flag(request, "follow")
        timestamps = try Self.flag(request, "timestamps")
    }

    /// `1`/`true` or `0`/`false`; anything else is a 400 (a typo must not silently mean "no").
    static func flag(_ request: HTTPRequest, _ name: String) throws -> Bool {
        switch request.queryParameter(name) {
        case nil, "0", "false": return false
        case "1", "true": return true
        default: throw HTTPError(.badRequest, "\(name) must be 1 or 0")
        }
    }
}
