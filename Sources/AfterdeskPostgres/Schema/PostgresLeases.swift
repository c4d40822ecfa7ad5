// A PostgreSQL migration of issue 30 (a dealer group): leases and shared limits.

extension PostgresMigrations {
    /// `p7-leases`: SQLite's v17. The scheduler's lease, and the limits every server counts against together.
    static let leases = """
        CREATE TABLE leases (
            name text COLLATE "C" PRIMARY KEY,
            holder text COLLATE "C" NOT NULL,                      -- the server holding it: host, process and a random part
            acquired_at timestamptz(0) NOT NULL,
            renewed_at timestamptz(0) NOT NULL,
            expires_at timestamptz(0) NOT NULL                     -- another server may take it from then on
        );
        CREATE TABLE rate_windows (
            key text COLLATE "C" PRIMARY KEY,
            started_at timestamptz(0) NOT NULL,                    -- the window's first hit
            hits bigint NOT NULL                                   -- hits in the window, refused ones too
        );
        """
}
