/// One tenant's usage in one UTC hour, a row of `usage_metrics`.
public struct UsageHour: Sendable, Hashable, Codable {
    public var tenantID: TenantID
    /// The start of the hour.
    public var hour: Timestamp
    public var messages: Int64
    public var tokensIn: Int64
    public var tokensOut: Int64

    public init(tenantID: TenantID, hour: Timestamp, messages: Int64, tokensIn: Int64, tokensOut: Int64) {
        self.tenantID = tenantID
        self.hour = hour.startOfHour
        self.messages = messages
        self.tokensIn = tokensIn
        self.tokensOut = tokensOut
    }
}
