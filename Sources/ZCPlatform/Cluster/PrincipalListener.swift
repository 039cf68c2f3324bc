import ZCCore

/// Hears, through the store's signals, that another node revoked a token or changed a user, and makes
/// this node forget its cached principals at once rather than when their cache time ends. A missed
/// signal (a lost connection) forgets them too.
struct PrincipalListener: Service {
    let name = "principal-listener"
    let signals: any StoreSignals
    let principals: PrincipalCache

    func run() async throws {
        let principals = principals
        try await signals.listen(PrincipalCache.channel) { _ in principals.forgetAll() }
    }
}
