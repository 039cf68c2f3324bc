import ZCCore

/// Who is calling: the user behind the bearer token, read from the store on this very request.
public struct Principal: Sendable, Hashable {
    public var user: User
    public var token: AccessToken

    /// The audit log's actor for this caller.
    public var actor: String { user.email }
}
