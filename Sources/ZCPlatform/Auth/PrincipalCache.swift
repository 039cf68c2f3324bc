import Synchronization
import ZCCore

/// The principals of recently seen bearer tokens, kept for `auth.token_cache_ms` (default 1 s) so that
/// a busy client's requests do not each read the token and the user from the store.
///
/// Keyed by the token's SHA-256 (the value itself is never kept). Whatever changes who a token stands
/// for (a revocation, a logout, a user's flags, a deleted user) forgets every entry on the node that did
/// it at once, and signals the other nodes through the store (`channel`); a node that misses the signal
/// still forgets within the cache time, since no entry outlives it. An entry also ends with its token.
public final class PrincipalCache: Sendable {
    /// The store signal that tells every node to forget its cached principals.
    public static let channel = "zcplatform_principals"
    /// Entries at most: a flood of distinct valid tokens cannot grow the cache without bound.
    static let capacity = 10_000

    private struct Entry {
        let principal: Principal
        let until: ContinuousClock.Instant
    }

    private let lifetime: Duration
    private let entries = Mutex<[[UInt8]: Entry]>([:])

    /// A zero `lifetime` turns the cache off: every request reads the store.
    public init(lifetime: Duration) {
        self.lifetime = lifetime
    }

    public var isEnabled: Bool { lifetime > .zero }

    /// The principal cached for the token with `hash`, while its entry lasts.
    func principal(hash: [UInt8], now: ContinuousClock.Instant = .now) -> Principal? {
        guard isEnabled else { return nil }
        return entries.withLock { entries in
            guard let entry = entries[hash] else { return nil }
            guard now < entry.until else {
                entries[hash] = nil
                return nil
            }
            return entry.principal
        }
    }

    /// Keeps `principal` for the cache time, or until its token expires if sooner.
    func keep(_ principal: Principal, hash: [UInt8], now: Timestamp = .now()) {
        guard isEnabled else { return }
        let clock = ContinuousClock.now
        let left = Duration.seconds(max(0, principal.token.expiresAt.seconds - now.seconds))
        let until = clock + min(lifetime, left)
        entries.withLock { entries in
            if entries.count >= Self.capacity {
                entries = entries.filter { clock < $0.value.until }
                if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[hash] = Entry(principal: principal, until: until)
        }
    }

    /// Forgets every cached principal: the next request of each token reads the store.
    public func forgetAll() {
        entries.withLock { $0.removeAll(keepingCapacity: true) }
    }

    var count: Int { entries.withLock { $0.count } }

    /// Runs a transaction that changes who a token stands for: it tells the other nodes when it commits,
    /// and this node forgets its cached principals once it has committed (and again if it failed, which
    /// costs only a read).
    func changing<R: Sendable>(
        _ store: any Store, _ body: @Sendable (any StoreTransaction) async throws -> R
    ) async throws -> R {
        defer { forgetAll() }
        return try await store.withTransaction { transaction in
            let result = try await body(transaction)
            try await transaction.signal(Self.channel, payload: "")
            return result
        }
    }
}
