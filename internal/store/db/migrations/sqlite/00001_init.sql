-- +goose Up
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    name_lower    TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    is_admin      INTEGER NOT NULL DEFAULT 0,
    personal_team INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);
CREATE TABLE teams (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    name_lower  TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    image       TEXT NOT NULL DEFAULT '',
    personal    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
);
CREATE TABLE team_members (
    team_id    INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members(user_id);
CREATE TABLE tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    label        TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    scopes       INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL DEFAULT 0,
    revoked_at   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tokens_user ON tokens(user_id);
CREATE TABLE sessions (
    hash       TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE TABLE login_failures (
    id  INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    at  INTEGER NOT NULL
);
CREATE INDEX login_failures_key ON login_failures(key, at);
CREATE TABLE resources (
    id                INTEGER PRIMARY KEY,
    kind              TEXT NOT NULL,
    name              TEXT NOT NULL,
    name_lower        TEXT NOT NULL,
    team_id           INTEGER NOT NULL REFERENCES teams(id),
    title             TEXT NOT NULL DEFAULT '',
    short_description TEXT NOT NULL DEFAULT '',
    description       TEXT NOT NULL DEFAULT '',
    category          TEXT NOT NULL DEFAULT '',
    tags              TEXT NOT NULL DEFAULT '',
    image             TEXT NOT NULL DEFAULT '',
    search_text       TEXT NOT NULL DEFAULT '',
    downloads         INTEGER NOT NULL DEFAULT 0,
    public            INTEGER NOT NULL DEFAULT 0,
    latest_release_id INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    UNIQUE (kind, name_lower)
);
CREATE INDEX resources_team ON resources(team_id);
CREATE INDEX resources_downloads ON resources(downloads);
CREATE INDEX resources_created ON resources(created_at);
CREATE INDEX resources_updated ON resources(updated_at);
CREATE TABLE releases (
    id                    INTEGER PRIMARY KEY,
    resource_id           INTEGER NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    version               TEXT NOT NULL,
    major                 INTEGER NOT NULL,
    minor                 INTEGER NOT NULL,
    patch                 INTEGER NOT NULL,
    channel               TEXT NOT NULL,
    state                 TEXT NOT NULL,
    yanked                INTEGER NOT NULL DEFAULT 0,
    yank_reason           TEXT NOT NULL DEFAULT '',
    changelog             TEXT NOT NULL DEFAULT '',
    sha256                TEXT NOT NULL,
    size                  INTEGER NOT NULL,
    size_unpacked         INTEGER NOT NULL,
    manifest_sha256       TEXT NOT NULL,
    manifest              TEXT NOT NULL,
    packages_requirements TEXT NOT NULL DEFAULT '[]',
    assets_requirements   TEXT NOT NULL DEFAULT '[]',
    downloads             INTEGER NOT NULL DEFAULT 0,
    uploader_id           INTEGER NOT NULL,
    created_at            INTEGER NOT NULL,
    published_at          INTEGER NOT NULL DEFAULT 0,
    UNIQUE (resource_id, version)
);
CREATE INDEX releases_sha ON releases(sha256);
CREATE INDEX releases_manifest_sha ON releases(manifest_sha256);
CREATE TABLE download_marks (
    release_id INTEGER NOT NULL,
    client     TEXT NOT NULL,
    win        INTEGER NOT NULL,
    PRIMARY KEY (release_id, client, win)
);
CREATE TABLE rate_limits (
    key   TEXT NOT NULL,
    win   INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (key, win)
);
CREATE TABLE servers (
    address     TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    players     INTEGER NOT NULL DEFAULT 0,
    max_players INTEGER NOT NULL DEFAULT 0,
    map         TEXT NOT NULL DEFAULT '',
    game_mode   TEXT NOT NULL DEFAULT '',
    version     TEXT NOT NULL DEFAULT '',
    first_seen  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL
);
CREATE INDEX servers_last_seen ON servers(last_seen);

-- +goose Down
DROP TABLE servers;
DROP TABLE rate_limits;
DROP TABLE download_marks;
DROP TABLE releases;
DROP TABLE resources;
DROP TABLE login_failures;
DROP TABLE sessions;
DROP TABLE tokens;
DROP TABLE team_members;
DROP TABLE teams;
DROP TABLE users;
