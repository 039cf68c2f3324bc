import ZCCore

/// The names of the rate limits an authentication attempt counts against, as their rows in
/// `auth_limits` are keyed.
struct AuthLimitKeys: Sendable, Hashable {
    let email: String
    let client: String
    let global = "global"

    init(email: String, clientIP: String) {
        self.email = "email:\(email)"
        client = "client:\(clientIP)"
    }
}

/// An attempt over one of the limits.
struct AuthLimitRefusal: Sendable, Hashable {
    enum Scope: String, Sendable, Hashable {
        case email, client, everyone
    }

    let scope: Scope
    let key: String

    func error(retryAfter seconds: Int) -> Failure {
        .rateLimited("too many attempts; try again later", retryAfterSeconds: seconds)
    }
}
