import AfterdeskStorage

extension Migrations {
    /// v17: several servers on one database (issue 30). `leases`: what one server holds at a time while it renews it
    /// (the scheduler's tick); `rate_windows`: limits every server counts against together (a link's button presses),
    /// a fixed window per key.
    static let v17Leases = """
        CREATE TABLE leases (
            name TEXT PRIMARY KEY,
            holder TEXT NOT NULL,            -- the server holding it: host, process and a random part
            acquired_at TEXT NOT NULL,       -- when its holder took it
            renewed_at TEXT NOT NULL,
            expires_at TEXT NOT NULL         -- another server may take it from then on
        ) WITHOUT ROWID;
        CREATE TABLE rate_windows (
            key TEXT PRIMARY KEY,
            started_at TEXT NOT NULL,        -- the window's first hit
            hits INTEGER NOT NULL            -- hits in the window, refused ones too
        ) WITHOUT ROWID;
        """
}
