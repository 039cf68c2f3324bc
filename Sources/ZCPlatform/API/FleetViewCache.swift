import Synchronization
import ZCCore

/// `GET /api/fleet` as last written for each caller, kept while nothing it shows can have changed: the
/// store's revision (any committed write, by any process or node) and the health board's verdicts are
/// those it was read at, within the same hour (today's usage counts up to the current hour). So a
/// console's refresh of an unchanged fleet costs two cheap checks, not a read and 3 MB of JSON per
/// 10,000 tenants; and its `ETag` and gzipped body are made once per change, not per refresh.
///
/// Bounded by `maxBytes` and `maxEntries` (least recently used out first; finding it scans the entries,
/// so their number stays small whatever the number of users); nothing is kept for a store without
/// revisions.
final class FleetViewCache: Sendable {
    struct Key: Hashable {
        let userID: Int64?
        let isSuperAdmin: Bool
        /// The hour the view's usage counts up to.
        let hour: Int64
    }

    /// What the view was read at.
    struct Revisions: Hashable {
        let store: StoreRevision
        let verdicts: UInt64
    }

    struct Entry: Sendable {
        let revisions: Revisions
        let bytes: [UInt8]
        let etag: String
        var gzipped: [UInt8]?
        var lastUse: UInt64

        var size: Int { bytes.count + (gzipped?.count ?? 0) }
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var bytes = 0
        var clock: UInt64 = 0
    }

    let maxBytes: Int
    let maxEntries: Int
    private let state = Mutex(State())

    init(maxBytes: Int = 64 << 20, maxEntries: Int = 1_024) {
        self.maxBytes = maxBytes
        self.maxEntries = maxEntries
    }

    /// The entry for `key` if it was read at `revisions`.
    func entry(_ key: Key, at revisions: Revisions) -> Entry? {
        state.withLock { state in
            guard var entry = state.entries[key], entry.revisions == revisions else { return nil }
            state.clock &+= 1
            entry.lastUse = state.clock
            state.entries[key] = entry
            return entry
        }
    }

    /// Keeps `bytes` for `key`, read at `revisions`; returns the entry (with its `ETag`).
    @discardableResult
    func keep(_ bytes: [UInt8], etag: String, for key: Key, at revisions: Revisions) -> Entry {
        state.withLock { state in
            state.clock &+= 1
            let entry = Entry(revisions: revisions, bytes: bytes, etag: etag, gzipped: nil, lastUse: state.clock)
            guard entry.size <= maxBytes else { return entry }
            Self.replace(key, with: entry, in: &state, maxBytes: maxBytes, maxEntries: maxEntries)
            return entry
        }
    }

    /// Adds the gzipped body to `key`'s entry, if it is still the one read at `revisions`.
    func keep(gzipped: [UInt8], for key: Key, at revisions: Revisions) {
        state.withLock { state in
            guard var entry = state.entries[key], entry.revisions == revisions, entry.gzipped == nil else { return }
            entry.gzipped = gzipped
            guard entry.size <= maxBytes else { return }
            Self.replace(key, with: entry, in: &state, maxBytes: maxBytes, maxEntries: maxEntries)
        }
    }

    /// The bytes kept, bodies and gzipped bodies together.
    var size: Int { state.withLock { $0.bytes } }

    private static func replace(_ key: Key, with entry: Entry, in state: inout State, maxBytes: Int, maxEntries: Int) {
        if let old = state.entries.removeValue(forKey: key) { state.bytes -= old.size }
        while state.bytes + entry.size > maxBytes || state.entries.count >= maxEntries,
            let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse })
        {
            state.entries.removeValue(forKey: oldest.key)
            state.bytes -= oldest.value.size
        }
        state.entries[key] = entry
        state.bytes += entry.size
    }
}
