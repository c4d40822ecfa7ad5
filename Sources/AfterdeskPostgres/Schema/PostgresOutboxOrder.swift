// A PostgreSQL migration of issue 29 (dispatch on PostgreSQL): the outbox's claim in its own order.

extension PostgresMigrations {
    /// `p5-outbox-order`: `outbox_due` again, keyed on (next_attempt_at, id) instead of next_attempt_at alone, so the
    /// claim (`WHERE status = 'queued' AND next_attempt_at <= … ORDER BY next_attempt_at, id LIMIT …`) walks it in
    /// order and stops after the page. Keyed on the instant alone, the index could not give the id order: PostgreSQL
    /// read every queued message due and sorted them for each page of 200 (a benchmark's 77,870 messages queued at
    /// one instant: 83 ms a claim, about 390 claims; 4.6 ms with this index). SQLite's index of the same name has the
    /// rowid (the id) after its key already. The name stays, as SQLite's schema has it.
    ///
    /// Not only an addition: building the index blocks writes to the outbox (not reads) until the migration commits,
    /// for as long as it takes to read the outbox's history; the new index is built first and the old one dropped
    /// after, so the table is closed to readers only for that last moment (docs/postgresql.md, "The schema and its
    /// history").
    static let outboxOrder = """
        CREATE INDEX outbox_due_ordered ON outbox(next_attempt_at, id) WHERE status = 'queued';
        DROP INDEX outbox_due;
        ALTER INDEX outbox_due_ordered RENAME TO outbox_due;
        """
}
