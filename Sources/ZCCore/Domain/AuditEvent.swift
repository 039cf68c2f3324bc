/// One recorded fact: who did what to which tenant, from where, when. Details never hold secrets.
public struct AuditEvent: Sendable, Hashable {
    public var id: Int64
    public var at: Timestamp
    /// Who acted: a user's email, or `system:<component>` for the platform itself.
    public var actor: String
    /// `noun.verb`, e.g. `tenant.restart`, `auth.login_failed`.
    public var action: String
    /// The tenant concerned, kept as text so the record outlives the tenant.
    public var tenantID: String?
    /// The object acted on within the tenant or platform (a channel, a user, a token).
    public var target: String?
    public var clientIP: String?
    public var detail: [String: JSONValue]

    public init(
        id: Int64, at: Timestamp, actor: String, action: String, tenantID: String? = nil, target: String? = nil,
        clientIP: String? = nil, detail: [String: JSONValue] = [:]
    ) {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.tenantID = tenantID
        self.target = target
        self.clientIP = clientIP
        self.detail = detail
    }
}

/// An audit record to append; the store assigns the id.
public struct NewAuditEvent: Sendable, Hashable {
    public var at: Timestamp
    public var actor: String
    public var action: String
    public var tenantID: String?
    public var target: String?
    public var clientIP: String?
    public var detail: [String: JSONValue]

    public init(
        at: Timestamp, actor: String, action: String, tenantID: String? = nil, target: String? = nil,
        clientIP: String? = nil, detail: [String: JSONValue] = [:]
    ) {
        self.at = at
        self.actor = actor
        self.action = action
        self.tenantID = tenantID
        self.target = target
        self.clientIP = clientIP
        self.detail = detail
    }
}

/// A filter over the audit log, newest first, read a page at a time.
public struct AuditQuery: Sendable, Hashable {
    public var actor: String?
    public var tenantID: String?
    public var action: String?
    public var since: Timestamp?
    public var until: Timestamp?
    /// At most this many events per page (1...1000).
    public var limit: Int
    /// The `nextCursor` of the previous page: events older than it.
    public var cursor: Int64?

    public init(
        actor: String? = nil, tenantID: String? = nil, action: String? = nil, since: Timestamp? = nil,
        until: Timestamp? = nil, limit: Int = 100, cursor: Int64? = nil
    ) {
        self.actor = actor
        self.tenantID = tenantID
        self.action = action
        self.since = since
        self.until = until
        self.limit = min(max(limit, 1), 1000)
        self.cursor = cursor
    }
}

/// One page of audit events and the cursor of the next, nil on the last page.
public struct AuditPage: Sendable, Hashable {
    public var events: [AuditEvent]
    public var nextCursor: Int64?

    public init(events: [AuditEvent], nextCursor: Int64?) {
        self.events = events
        self.nextCursor = nextCursor
    }
}
