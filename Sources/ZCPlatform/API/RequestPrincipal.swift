import ZCCore
import ZCHTTP

/// The principal slot of a request's context, set by `BearerAuthentication`.
public struct PrincipalKey: RequestContextKey {
    public typealias Value = Principal
}

extension RequestContext {
    /// The authenticated caller; a 401 when the route was reached without one.
    public func principal() throws -> Principal {
        guard let principal = self[PrincipalKey.self] else { throw Failure.unauthenticated("authentication required") }
        return principal
    }
}

extension RequestContext {
    /// The authenticated caller and the address the request came from (the client's, when another node
    /// forwarded it here).
    func caller() throws -> Caller {
        Caller(user: try principal().user, clientIP: self[ForwardedKey.self]?.clientIP ?? remoteAddress)
    }
}
