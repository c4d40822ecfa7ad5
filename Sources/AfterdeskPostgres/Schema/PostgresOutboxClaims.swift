// A PostgreSQL migration of issue 30 (a dealer group): which server claimed a message.

extension PostgresMigrations {
    /// `p8-outbox-claims`: SQLite's v18.
    static let outboxClaims = """
        ALTER TABLE outbox ADD COLUMN claimed_by text COLLATE "C";
        """
}
