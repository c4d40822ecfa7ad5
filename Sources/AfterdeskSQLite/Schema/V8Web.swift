import AfterdeskStorage

extension Migrations {
    /// v8: signing in to the web pages (docs/security.md) and the imports started from them.
    static let v8Web = """
        -- Sessions and other short-lived values of the web pages (Hummingbird's PersistDriver): the key is kept only
        -- as a SHA-256, so a copy of the database does not hold a session anyone can use.
        CREATE TABLE persist (
            key_hash TEXT PRIMARY KEY,       -- hex SHA-256 of the key (for a session, of its cookie)
            value BLOB NOT NULL,             -- JSON
            expires_at TEXT                  -- UTC; NULL: never
        );
        CREATE INDEX persist_expiry ON persist(expires_at) WHERE expires_at IS NOT NULL;
        -- Every sign-in attempt, for the lock-out (5 failures of a user in 15 minutes) and the per-address limit.
        -- Never the password.
        CREATE TABLE sign_in_attempts (
            id INTEGER PRIMARY KEY,
            user_name TEXT NOT NULL COLLATE NOCASE,
            address TEXT NOT NULL,
            succeeded INTEGER NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX sign_in_attempts_user ON sign_in_attempts(user_name, at);
        CREATE INDEX sign_in_attempts_address ON sign_in_attempts(address, at);
        -- Deal files uploaded from the web pages: kept on disk beside the database, imported in the background.
        CREATE TABLE web_imports (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            file_name TEXT NOT NULL,         -- as the browser named it
            path TEXT NOT NULL,              -- where the upload was written
            profile TEXT NOT NULL,
            status TEXT NOT NULL,            -- queued | running | done | failed
            rows_read INTEGER NOT NULL DEFAULT 0,
            summary TEXT,                    -- the import --json summary, when done
            error TEXT,                      -- why it failed, when it did
            created_at TEXT NOT NULL,
            finished_at TEXT
        );
        """
}
