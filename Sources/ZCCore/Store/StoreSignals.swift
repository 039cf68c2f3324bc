/// A store shared by several nodes that can tell them of new work as it commits (PostgreSQL's
/// `LISTEN`/`NOTIFY`). Signals are hints: a node that missed one (a dropped connection, a restart) finds
/// the same work when it next polls. Sent with `StoreTransaction.signal`, delivered when the transaction
/// commits, never when it rolls back.
public protocol StoreSignals: Sendable {
    /// Listens on `channel` until cancelled, calling `received` with each payload any node signals. After
    /// a lost connection it reconnects and calls `received(nil)`: signals may have been missed meanwhile.
    func listen(_ channel: String, received: @escaping @Sendable (String?) async -> Void) async throws
}
