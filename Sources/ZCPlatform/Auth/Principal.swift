import ZCCore
import ZCHTTP

/// Who is calling: the user behind the bearer token, read from the store on this very request.
public struct Principal: Sendable, Hashable {
    public var user: User
    public var token: AccessToken

    /// The audit log's actor for this caller.
    public var actor: String { user.email }
}

/// The principal slot of a request's context, set by `BearerAuthentication`.
public struct PrincipalKey: RequestContextKey {
    public typealias Value = Principal
}

extension RequestContext {
    /// The authenticated caller; a 401 when the route was reached without one.
    public func principal() throws -> Principal {
        guard let principal = self[PrincipalKey.self] else { throw HTTPError(.unauthorized, "authentication required") }
        return principal
    }
}
