import ZCSQL

/// The schema of the platform database, as SQLite expresses it. Times are integer Unix seconds; tables
/// are STRICT so a value of the wrong type is refused.
///
/// `resource_snapshots` holds ~10 million rows at 1,000 tenants × 7 days: it is a WITHOUT ROWID table
/// clustered on (tenant_key, collected_at), so one tenant's range is one contiguous run of pages and
/// pruning deletes from the start of each tenant's run.
enum SQLiteMigrations {
    static let all: [SQLMigration] = [
        SQLMigration(
            version: 1, name: "initial schema",
            sql: """
                CREATE TABLE tenants (
                    tenant_key INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    name TEXT NOT NULL,
                    plan TEXT NOT NULL,
                    status TEXT NOT NULL
                        CHECK (status IN ('draft', 'deploying', 'running', 'stopped', 'error', 'deleted')),
                    error_message TEXT,
                    node_id TEXT,
                    host_port INTEGER,
                    uid INTEGER UNIQUE,
                    container_id TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    started_at INTEGER,
                    UNIQUE (node_id, host_port)
                ) STRICT;
                CREATE INDEX tenants_status ON tenants (status);

                CREATE TABLE users (
                    id INTEGER PRIMARY KEY,
                    email TEXT NOT NULL UNIQUE,
                    is_super_admin INTEGER NOT NULL DEFAULT 0,
                    is_disabled INTEGER NOT NULL DEFAULT 0,
                    created_at INTEGER NOT NULL,
                    last_login_at INTEGER
                ) STRICT;

                CREATE TABLE memberships (
                    tenant_key INTEGER NOT NULL REFERENCES tenants (tenant_key) ON DELETE CASCADE,
                    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    role TEXT NOT NULL CHECK (role IN ('viewer', 'contributor', 'manager', 'owner')),
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (tenant_key, user_id)
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX memberships_user ON memberships (user_id);

                CREATE TABLE channels (
                    id INTEGER PRIMARY KEY,
                    tenant_key INTEGER NOT NULL REFERENCES tenants (tenant_key) ON DELETE CASCADE,
                    kind TEXT NOT NULL,
                    name TEXT NOT NULL,
                    settings TEXT NOT NULL DEFAULT '{}',
                    secret BLOB,
                    enabled INTEGER NOT NULL DEFAULT 1,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    UNIQUE (tenant_key, name)
                ) STRICT;

                CREATE TABLE access_tokens (
                    id INTEGER PRIMARY KEY,
                    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    kind TEXT NOT NULL CHECK (kind IN ('session', 'api')),
                    name TEXT,
                    token_hash BLOB NOT NULL UNIQUE,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL,
                    last_used_at INTEGER,
                    revoked_at INTEGER
                ) STRICT;
                CREATE INDEX access_tokens_user ON access_tokens (user_id);
                CREATE INDEX access_tokens_expires ON access_tokens (expires_at);

                CREATE TABLE audit_log (
                    id INTEGER PRIMARY KEY,
                    at INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    tenant_id TEXT,
                    target TEXT,
                    client_ip TEXT,
                    detail TEXT NOT NULL DEFAULT '{}'
                ) STRICT;
                CREATE INDEX audit_log_at ON audit_log (at);
                CREATE INDEX audit_log_tenant ON audit_log (tenant_id, id);
                CREATE INDEX audit_log_actor ON audit_log (actor, id);
                CREATE INDEX audit_log_action ON audit_log (action, id);

                CREATE TABLE resource_snapshots (
                    tenant_key INTEGER NOT NULL REFERENCES tenants (tenant_key) ON DELETE CASCADE,
                    collected_at INTEGER NOT NULL,
                    cpu_pct REAL NOT NULL,
                    mem_bytes INTEGER NOT NULL,
                    mem_limit INTEGER NOT NULL,
                    disk_bytes INTEGER NOT NULL,
                    net_in INTEGER NOT NULL,
                    net_out INTEGER NOT NULL,
                    pids INTEGER NOT NULL,
                    PRIMARY KEY (tenant_key, collected_at)
                ) STRICT, WITHOUT ROWID;

                CREATE TABLE usage_metrics (
                    tenant_key INTEGER NOT NULL REFERENCES tenants (tenant_key) ON DELETE CASCADE,
                    hour INTEGER NOT NULL,
                    messages INTEGER NOT NULL DEFAULT 0,
                    tokens_in INTEGER NOT NULL DEFAULT 0,
                    tokens_out INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (tenant_key, hour)
                ) STRICT, WITHOUT ROWID;

                CREATE TABLE nodes (
                    id TEXT PRIMARY KEY,
                    address TEXT NOT NULL,
                    version TEXT NOT NULL,
                    started_at INTEGER NOT NULL,
                    last_seen_at INTEGER NOT NULL
                ) STRICT;
                """),
        SQLMigration(
            version: 2, name: "tenant configuration, login codes, auth attempts",
            sql: """
                CREATE TABLE tenant_configs (
                    tenant_key INTEGER PRIMARY KEY REFERENCES tenants (tenant_key) ON DELETE CASCADE,
                    provider TEXT,
                    model TEXT,
                    settings TEXT NOT NULL DEFAULT '{}',
                    api_key BLOB,
                    updated_at INTEGER NOT NULL
                ) STRICT;

                CREATE TABLE login_codes (
                    id INTEGER PRIMARY KEY,
                    email TEXT NOT NULL,
                    code_hash BLOB NOT NULL,
                    salt BLOB NOT NULL,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL,
                    consumed_at INTEGER,
                    attempts INTEGER NOT NULL DEFAULT 0
                ) STRICT;
                CREATE INDEX login_codes_email ON login_codes (email, id);

                CREATE TABLE auth_attempts (
                    id INTEGER PRIMARY KEY,
                    email TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    at INTEGER NOT NULL
                ) STRICT;
                CREATE INDEX auth_attempts_email ON auth_attempts (email, at);
                """),
        SQLMigration(
            version: 3, name: "hourly resource roll-ups",
            sql: """
                CREATE TABLE resource_rollups (
                    tenant_key INTEGER NOT NULL REFERENCES tenants (tenant_key) ON DELETE CASCADE,
                    hour INTEGER NOT NULL,
                    samples INTEGER NOT NULL,
                    cpu_pct_sum REAL NOT NULL,
                    cpu_pct_min REAL NOT NULL,
                    cpu_pct_max REAL NOT NULL,
                    mem_bytes_sum REAL NOT NULL,
                    mem_bytes_min REAL NOT NULL,
                    mem_bytes_max REAL NOT NULL,
                    disk_bytes_sum REAL NOT NULL,
                    disk_bytes_min REAL NOT NULL,
                    disk_bytes_max REAL NOT NULL,
                    net_in_sum REAL NOT NULL,
                    net_in_min REAL NOT NULL,
                    net_in_max REAL NOT NULL,
                    net_out_sum REAL NOT NULL,
                    net_out_min REAL NOT NULL,
                    net_out_max REAL NOT NULL,
                    pids_sum REAL NOT NULL,
                    pids_min REAL NOT NULL,
                    pids_max REAL NOT NULL,
                    mem_limit_max INTEGER NOT NULL,
                    PRIMARY KEY (tenant_key, hour)
                ) STRICT, WITHOUT ROWID;

                INSERT INTO resource_rollups (tenant_key, hour, samples, \
                cpu_pct_sum, cpu_pct_min, cpu_pct_max, mem_bytes_sum, mem_bytes_min, mem_bytes_max, disk_bytes_sum, disk_bytes_min, disk_bytes_max, net_in_sum, net_in_min, net_in_max, net_out_sum, net_out_min, net_out_max, pids_sum, pids_min, pids_max, \
                mem_limit_max) \
                SELECT tenant_key, collected_at / 3600 * 3600, COUNT(*), \
                SUM(cpu_pct), MIN(cpu_pct), MAX(cpu_pct), SUM(mem_bytes), MIN(mem_bytes), MAX(mem_bytes), SUM(disk_bytes), MIN(disk_bytes), MAX(disk_bytes), SUM(net_in), MIN(net_in), MAX(net_in), SUM(net_out), MIN(net_out), MAX(net_out), SUM(pids), MIN(pids), MAX(pids), \
                MAX(mem_limit) FROM resource_snapshots GROUP BY tenant_key, collected_at / 3600;
                """),
        SQLMigration(
            version: 4, name: "authentication limits checked and recorded under a lock",
            sql: """
                ALTER TABLE auth_attempts ADD COLUMN client_ip TEXT NOT NULL DEFAULT '';
                CREATE INDEX auth_attempts_client ON auth_attempts (client_ip, at);
                CREATE INDEX auth_attempts_at ON auth_attempts (at);

                CREATE TABLE auth_limits (
                    key TEXT PRIMARY KEY,
                    touched_at INTEGER NOT NULL,
                    refused_at INTEGER
                ) STRICT;
                """),
        SQLMigration(
            version: 5, name: "usage counters and alert states kept across restarts",
            sql: """
                CREATE TABLE usage_counters (
                    tenant_key INTEGER NOT NULL REFERENCES tenants (tenant_key) ON DELETE CASCADE,
                    series TEXT NOT NULL,
                    value REAL NOT NULL,
                    scraped_at INTEGER NOT NULL,
                    PRIMARY KEY (tenant_key, series)
                ) STRICT;

                CREATE TABLE alert_states (
                    node_id TEXT NOT NULL,
                    key TEXT NOT NULL,
                    name TEXT NOT NULL,
                    severity TEXT NOT NULL,
                    labels TEXT NOT NULL,
                    summary TEXT NOT NULL,
                    description TEXT NOT NULL,
                    active_since INTEGER NOT NULL,
                    firing INTEGER NOT NULL,
                    PRIMARY KEY (node_id, key)
                ) STRICT;
                """),
        SQLMigration(
            version: 6, name: "the database's instance id",
            sql: """
                CREATE TABLE platform_meta (
                    key TEXT PRIMARY KEY,
                    value TEXT NOT NULL
                ) STRICT;
                INSERT INTO platform_meta (key, value) VALUES ('instance_id', lower(hex(randomblob(16))));
                """),
        SQLMigration(
            version: 7, name: "cluster membership and the leader's lease, by the database's clock",
            sql: """
                ALTER TABLE nodes RENAME COLUMN last_seen_at TO last_heartbeat;
                ALTER TABLE nodes ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE nodes ADD COLUMN state TEXT NOT NULL DEFAULT 'active'
                    CHECK (state IN ('active', 'draining', 'down'));
                ALTER TABLE nodes ADD COLUMN memory_capacity INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE nodes ADD COLUMN memory_reserved INTEGER NOT NULL DEFAULT 0;

                CREATE TABLE leases (
                    name TEXT PRIMARY KEY,
                    holder TEXT NOT NULL,
                    term INTEGER NOT NULL,
                    acquired_at INTEGER NOT NULL,
                    renewed_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL
                ) STRICT;
                """),
        SQLMigration(
            version: 8, name: "a placement epoch on each tenant: writes about it are conditional on it",
            sql: """
                ALTER TABLE tenants ADD COLUMN placement_epoch INTEGER NOT NULL DEFAULT 0;
                """),
        SQLMigration(
            version: 9, name: "the node a tenant is moving to",
            sql: """
                ALTER TABLE tenants ADD COLUMN moving_to TEXT;
                """),
        SQLMigration(
            version: 10, name: "a scope on API tokens: what a token may call, beyond its user's roles",
            sql: """
                ALTER TABLE access_tokens ADD COLUMN scope TEXT;
                """),
        SQLMigration(
            version: 11, name: "channel secrets per field (Slack's bot and app tokens, WhatsApp's three, …)",
            sql: """
                CREATE TABLE channel_secrets (
                    channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
                    field TEXT NOT NULL,
                    secret BLOB NOT NULL,
                    PRIMARY KEY (channel_id, field)
                ) STRICT;

                INSERT INTO channel_secrets (channel_id, field, secret) \
                    SELECT id, CASE kind WHEN 'telegram' THEN 'bot_token' WHEN 'discord' THEN 'bot_token' \
                    WHEN 'slack' THEN 'bot_token' WHEN 'whatsapp' THEN 'access_token' WHEN 'matrix' THEN 'access_token' \
                    WHEN 'email' THEN 'password' ELSE 'secret' END, secret FROM channels WHERE secret IS NOT NULL;
                UPDATE channels SET secret = NULL WHERE secret IS NOT NULL;
                """),
        SQLMigration(
            version: 12, name: "a node's vault key fingerprint and the check of its advertised address",
            sql: """
                ALTER TABLE nodes ADD COLUMN vault_key TEXT NOT NULL DEFAULT '';
                ALTER TABLE nodes ADD COLUMN address_checked_at INTEGER;
                ALTER TABLE nodes ADD COLUMN address_error TEXT;
                """),
        SQLMigration(
            version: 13, name: "agent images per tenant, and fleet rollouts with their tenants and nodes",
            sql: """
                ALTER TABLE tenants ADD COLUMN image TEXT;
                ALTER TABLE tenants ADD COLUMN image_pinned INTEGER NOT NULL DEFAULT 0;

                CREATE TABLE rollouts (
                    id TEXT PRIMARY KEY,
                    image TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'paused', 'completed', 'halted', \
                        'rolled_back', 'failed', 'aborted')),
                    canary INTEGER NOT NULL,
                    batch_size INTEGER NOT NULL,
                    health_seconds INTEGER NOT NULL,
                    max_failures INTEGER NOT NULL,
                    pause_after_canary INTEGER NOT NULL,
                    whole_fleet INTEGER NOT NULL,
                    failure_base INTEGER NOT NULL DEFAULT 0,
                    reason TEXT,
                    created_by TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    finished_at INTEGER
                );
                CREATE INDEX rollouts_state ON rollouts (state);

                CREATE TABLE rollout_tenants (
                    rollout_id TEXT NOT NULL REFERENCES rollouts (id) ON DELETE CASCADE,
                    tenant_id TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    batch INTEGER NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('pending', 'updating', 'healthy', 'failed', 'rolling_back', \
                        'rolled_back')),
                    from_image TEXT,
                    error TEXT,
                    updated_at INTEGER NOT NULL,
                    PRIMARY KEY (rollout_id, tenant_id)
                );
                CREATE INDEX rollout_tenants_state ON rollout_tenants (state, tenant_id);

                CREATE TABLE rollout_nodes (
                    rollout_id TEXT NOT NULL REFERENCES rollouts (id) ON DELETE CASCADE,
                    node_id TEXT NOT NULL,
                    pinned TEXT,
                    error TEXT,
                    prepared_at INTEGER NOT NULL,
                    PRIMARY KEY (rollout_id, node_id)
                );
                """),
    ]
}
