"""The data model of design.md section 2 as the first migration wrote it (m001_initial; never edited since:
later changes are migrations of their own in store/migrations.py)."""

INITIAL_SCHEMA = """
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE spaces (
    name TEXT PRIMARY KEY,
    is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    created_at TEXT NOT NULL
);
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    space TEXT NOT NULL REFERENCES spaces(name),
    priority INTEGER NOT NULL CHECK (priority >= 1),
    auto_distribute INTEGER NOT NULL DEFAULT 1 CHECK (auto_distribute IN (0, 1)),
    org_name TEXT NOT NULL,
    location_name TEXT,
    uid TEXT NOT NULL UNIQUE,
    country TEXT,
    default_platform TEXT,
    website_url TEXT,
    token_fingerprint TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'ok',
    status_detail TEXT,
    mdm_owner_id TEXT,
    mdm_owner_name TEXT,
    last_full_sync_at TEXT,
    last_sync_at TEXT,
    assets_version_id TEXT,
    assignments_version_id TEXT,
    users_version_id TEXT,
    UNIQUE (space, priority)
);
CREATE TABLE secrets (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    stoken TEXT NOT NULL
);
CREATE TABLE assets (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    adam_id TEXT NOT NULL,
    pricing_param TEXT NOT NULL,
    product_type TEXT NOT NULL,
    total INTEGER NOT NULL,
    assigned INTEGER NOT NULL,
    available INTEGER NOT NULL,
    retired INTEGER NOT NULL,
    device_assignable INTEGER NOT NULL CHECK (device_assignable IN (0, 1)),
    revocable INTEGER NOT NULL CHECK (revocable IN (0, 1)),
    platforms TEXT NOT NULL,
    synced_at TEXT NOT NULL,
    PRIMARY KEY (account_id, adam_id, pricing_param)
);
CREATE INDEX idx_assets_adam_id ON assets(adam_id);
CREATE TABLE app_metadata (
    adam_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT,
    platforms TEXT,
    fetched_at TEXT NOT NULL
);
CREATE TABLE catalog (
    space TEXT NOT NULL REFERENCES spaces(name),
    adam_id TEXT NOT NULL,
    install_on_device INTEGER NOT NULL DEFAULT 0 CHECK (install_on_device IN (0, 1)),
    auto_update INTEGER NOT NULL DEFAULT 0 CHECK (auto_update IN (0, 1)),
    added_at TEXT NOT NULL,
    PRIMARY KEY (space, adam_id)
);
CREATE TABLE distribution_policies (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    adam_id TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (account_id, adam_id)
);
CREATE TABLE fcfs_groups (
    account_id INTEGER NOT NULL,
    adam_id TEXT NOT NULL,
    group_name TEXT NOT NULL,
    PRIMARY KEY (account_id, adam_id, group_name),
    FOREIGN KEY (account_id, adam_id) REFERENCES distribution_policies(account_id, adam_id) ON DELETE CASCADE
);
CREATE TABLE reservations (
    account_id INTEGER NOT NULL,
    adam_id TEXT NOT NULL,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('device', 'user')),
    target_id TEXT NOT NULL,
    PRIMARY KEY (account_id, adam_id, target_kind, target_id),
    FOREIGN KEY (account_id, adam_id) REFERENCES distribution_policies(account_id, adam_id) ON DELETE CASCADE
);
CREATE TABLE disallowed (
    account_id INTEGER NOT NULL,
    adam_id TEXT NOT NULL,
    client_user_id TEXT NOT NULL,
    PRIMARY KEY (account_id, adam_id, client_user_id),
    FOREIGN KEY (account_id, adam_id) REFERENCES distribution_policies(account_id, adam_id) ON DELETE CASCADE
);
CREATE TABLE users (
    client_user_id TEXT PRIMARY KEY,
    space TEXT NOT NULL REFERENCES spaces(name),
    email TEXT,
    managed_apple_id TEXT,
    state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'retired', 'deleted')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX idx_users_space ON users(space);
CREATE TABLE apple_users (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    client_user_id TEXT NOT NULL,
    status TEXT NOT NULL,
    email TEXT,
    invite_code TEXT,
    id_hash TEXT,
    synced_at TEXT NOT NULL,
    PRIMARY KEY (account_id, client_user_id)
);
CREATE INDEX idx_apple_users_user ON apple_users(client_user_id);
CREATE TABLE groups (
    space TEXT NOT NULL REFERENCES spaces(name),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (space, name)
);
CREATE TABLE group_members (
    space TEXT NOT NULL,
    group_name TEXT NOT NULL,
    client_user_id TEXT NOT NULL REFERENCES users(client_user_id) ON DELETE CASCADE,
    PRIMARY KEY (space, group_name, client_user_id),
    FOREIGN KEY (space, group_name) REFERENCES groups(space, name) ON DELETE CASCADE
);
CREATE INDEX idx_group_members_user ON group_members(client_user_id);
CREATE TABLE devices (
    serial TEXT PRIMARY KEY,
    space TEXT NOT NULL REFERENCES spaces(name),
    platform TEXT NOT NULL CHECK (platform IN ('ios', 'ipados', 'macos', 'tvos', 'visionos')),
    owner TEXT REFERENCES users(client_user_id) ON DELETE SET NULL,
    shared_ipad INTEGER NOT NULL DEFAULT 0 CHECK (shared_ipad IN (0, 1)),
    state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'retired', 'wiped', 'unenrolled')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX idx_devices_space ON devices(space);
CREATE INDEX idx_devices_owner ON devices(owner);
CREATE TABLE installed_apps (
    serial TEXT NOT NULL REFERENCES devices(serial) ON DELETE CASCADE,
    adam_id TEXT NOT NULL,
    installed_at TEXT NOT NULL,
    PRIMARY KEY (serial, adam_id)
);
CREATE TABLE licenses (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    adam_id TEXT NOT NULL,
    pricing_param TEXT NOT NULL,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('device', 'user')),
    target_id TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('reserved', 'fcfs', 'required', 'admin', 'external')),
    state TEXT NOT NULL CHECK (state IN ('pending', 'active', 'failed', 'revoking', 'revoked')),
    event_id TEXT,
    platform TEXT,
    assigned_at TEXT NOT NULL,
    revoked_at TEXT,
    usable_until TEXT,
    last_action TEXT,
    detail TEXT
);
CREATE UNIQUE INDEX idx_licenses_live ON licenses(account_id, adam_id, pricing_param, target_kind, target_id)
    WHERE state IN ('pending', 'active', 'revoking');
CREATE INDEX idx_licenses_target ON licenses(target_kind, target_id);
CREATE INDEX idx_licenses_app ON licenses(adam_id, state);
CREATE INDEX idx_licenses_event ON licenses(event_id);
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    event_id TEXT UNIQUE,
    account_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    account_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('intent', 'pending', 'complete', 'failed', 'unknown')),
    num_requested INTEGER,
    num_completed INTEGER,
    failures TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    finished_at TEXT
);
CREATE INDEX idx_events_state ON events(state);
CREATE TABLE activity (
    id INTEGER PRIMARY KEY,
    ts TEXT NOT NULL,
    actor TEXT NOT NULL,
    space TEXT,
    account_name TEXT,
    adam_id TEXT,
    target_kind TEXT,
    target_id TEXT,
    license_type TEXT,
    action TEXT NOT NULL,
    result TEXT NOT NULL,
    event_id TEXT,
    detail TEXT
);
CREATE INDEX idx_activity_ts ON activity(ts);
CREATE INDEX idx_activity_app ON activity(adam_id, ts);
CREATE INDEX idx_activity_target ON activity(target_kind, target_id);
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('usage', 'auth', 'expiry')),
    account_id INTEGER REFERENCES accounts(id) ON DELETE CASCADE,
    account_name TEXT NOT NULL,
    adam_id TEXT,
    pricing_param TEXT,
    severity TEXT NOT NULL CHECK (severity IN ('info', 'warn', 'alert')),
    trigger TEXT NOT NULL,
    message TEXT NOT NULL,
    action TEXT,
    raised_at TEXT NOT NULL,
    cleared_at TEXT
);
CREATE INDEX idx_notifications_open ON notifications(account_id, kind, cleared_at);
"""
