// The second PostgreSQL migration (issue 29, step b): where `afterdesk copy-database` records its copies.

extension PostgresMigrations {
    /// `p2-copies`: each copy `afterdesk copy-database` made into this database, newest last. PostgreSQL's own, as
    /// `afterdesk_migrations` is (SQLite has no such table; a copy never copies it). The fingerprint is the target's
    /// rows as the copy left them (each table's count and a sum of its rows' hashes): a later copy replaces the target
    /// only while it still matches, that is while nothing has been written to it since.
    static let copies = """
        CREATE TABLE afterdesk_copies (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            source text COLLATE "C" NOT NULL,                      -- where the rows came from, for people (a file path)
            stores text COLLATE "C" NOT NULL,                      -- the source's store codes, sorted, comma-separated
            tables integer NOT NULL,
            row_count bigint NOT NULL,
            fingerprint text COLLATE "C" NOT NULL,
            copied_at timestamptz(0) NOT NULL
        );
        """
}
