/// One table of the platform's schema as data: its columns, its primary key, and the column a store
/// numbers itself. Shared by both stores for copying, exporting and verifying.
public struct SQLTable: Sendable, Hashable {
    public let name: String
    public let columns: [String]
    /// Primary key columns; rows are read in this order.
    public let key: [String]
    /// The column the database assigns (an identity or rowid), whose counter must follow copied rows.
    public let identity: String?

    /// Every table, parents before children.
    public static let all: [SQLTable] = [
        SQLTable(
            name: "tenants",
            columns: [
                "tenant_key", "id", "name", "plan", "status", "error_message", "node_id", "host_port", "uid",
                "container_id", "created_at", "updated_at", "started_at", "placement_epoch", "moving_to", "image",
                "image_pinned",
            ], key: ["tenant_key"], identity: "tenant_key"),
        SQLTable(
            name: "users", columns: ["id", "email", "is_super_admin", "is_disabled", "created_at", "last_login_at"],
            key: ["id"], identity: "id"),
        SQLTable(
            name: "memberships", columns: ["tenant_key", "user_id", "role", "created_at"],
            key: ["tenant_key", "user_id"], identity: nil),
        SQLTable(
            name: "channels",
            columns: ["id", "tenant_key", "kind", "name", "settings", "secret", "enabled", "created_at", "updated_at"],
            key: ["id"], identity: "id"),
        SQLTable(
            name: "channel_secrets", columns: ["channel_id", "field", "secret"], key: ["channel_id", "field"],
            identity: nil),
        SQLTable(
            name: "access_tokens",
            columns: [
                "id", "user_id", "kind", "name", "token_hash", "created_at", "expires_at", "last_used_at", "revoked_at",
                "scope",
            ], key: ["id"], identity: "id"),
        SQLTable(
            name: "audit_log", columns: ["id", "at", "actor", "action", "tenant_id", "target", "client_ip", "detail"],
            key: ["id"], identity: "id"),
        SQLTable(
            name: "resource_snapshots",
            columns: [
                "tenant_key", "collected_at", "cpu_pct", "mem_bytes", "mem_limit", "disk_bytes", "net_in", "net_out",
                "pids",
            ], key: ["tenant_key", "collected_at"], identity: nil),
        SQLTable(
            name: "resource_rollups",
            columns: ["tenant_key", "hour", "samples"] + ResourceRollup.columns + ["mem_limit_max"],
            key: ["tenant_key", "hour"], identity: nil),
        SQLTable(
            name: "usage_metrics", columns: ["tenant_key", "hour", "messages", "tokens_in", "tokens_out"],
            key: ["tenant_key", "hour"], identity: nil),
        SQLTable(
            name: "nodes",
            columns: [
                "id", "address", "version", "started_at", "last_heartbeat", "expires_at", "state", "memory_capacity",
                "memory_reserved", "vault_key", "address_checked_at", "address_error",
            ], key: ["id"],
            identity: nil),
        SQLTable(
            name: "tenant_configs", columns: ["tenant_key", "provider", "model", "settings", "api_key", "updated_at"],
            key: ["tenant_key"], identity: nil),
        SQLTable(
            name: "login_codes",
            columns: ["id", "email", "code_hash", "salt", "created_at", "expires_at", "consumed_at", "attempts"],
            key: ["id"], identity: "id"),
        SQLTable(
            name: "auth_attempts", columns: ["id", "email", "kind", "at", "client_ip"], key: ["id"], identity: "id"),
        SQLTable(name: "auth_limits", columns: ["key", "touched_at", "refused_at"], key: ["key"], identity: nil),
        SQLTable(name: "platform_meta", columns: ["key", "value"], key: ["key"], identity: nil),
        SQLTable(
            name: "usage_counters", columns: ["tenant_key", "series", "value", "scraped_at"],
            key: ["tenant_key", "series"], identity: nil),
        SQLTable(
            name: "alert_states",
            columns: [
                "node_id", "key", "name", "severity", "labels", "summary", "description", "active_since", "firing",
            ], key: ["node_id", "key"], identity: nil),
        SQLTable(
            name: "leases", columns: ["name", "holder", "term", "acquired_at", "renewed_at", "expires_at"],
            key: ["name"], identity: nil),
        SQLTable(
            name: "rollouts",
            columns: [
                "id", "image", "state", "canary", "batch_size", "health_seconds", "max_failures", "pause_after_canary",
                "whole_fleet", "failure_base", "reason", "created_by", "created_at", "updated_at", "finished_at",
            ], key: ["id"], identity: nil),
        SQLTable(
            name: "rollout_tenants",
            columns: ["rollout_id", "tenant_id", "position", "batch", "state", "from_image", "error", "updated_at"],
            key: ["rollout_id", "tenant_id"], identity: nil),
        SQLTable(
            name: "rollout_nodes", columns: ["rollout_id", "node_id", "pinned", "error", "prepared_at"],
            key: ["rollout_id", "node_id"], identity: nil),
    ]

    /// The next page of rows after `after` (the key of the last row read), in key order.
    func page(after: [SQLValue]?, limit: Int) -> SQLQuery {
        var query: SQLQuery = "SELECT \(raw: columns.joined(separator: ", ")) FROM \(raw: name)"
        if let after {
            query += " WHERE (\(raw: key.joined(separator: ", "))) > ("
            for (index, value) in after.enumerated() {
                query += index == 0 ? "\(value)" : ", \(value)"
            }
            query += ")"
        }
        query += " ORDER BY \(raw: key.joined(separator: ", ")) LIMIT \(limit)"
        return query
    }

    /// An insert of one row with every column given.
    func insert(_ values: [SQLValue]) -> SQLQuery {
        var query: SQLQuery = "INSERT INTO \(raw: name) (\(raw: columns.joined(separator: ", "))) VALUES ("
        for (index, value) in values.enumerated() {
            query += index == 0 ? "\(value)" : ", \(value)"
        }
        return query + ")"
    }

    /// The key of `row`, for paging.
    func keyValues(of row: SQLRow) throws -> [SQLValue] {
        try key.map { try row.value($0) }
    }
}
