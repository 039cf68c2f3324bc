/// An alert a node is watching (its condition seen, not yet held long enough) or has fired and not
/// resolved, as the store keeps it: a restart of the platform neither fires it again nor forgets it.
public struct AlertState: Sendable, Hashable {
    public var alert: Alert
    public var firing: Bool

    public init(alert: Alert, firing: Bool) {
        self.alert = alert
        self.firing = firing
    }
}
