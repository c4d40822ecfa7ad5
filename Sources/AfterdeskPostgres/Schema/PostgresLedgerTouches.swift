// A PostgreSQL migration of issue 29: the margin report's stream of delivered touches without a look-up into the table.

extension PostgresMigrations {
    /// `p10-ledger-touches`: the delivered touches' items of a run of deals (`AfterDeskCursors.touches`), read from two
    /// indexes alone. `touch_items_deal` again, carrying `touch_id` too, and `touches_sent_id`: the touches sent, by id,
    /// with their sending time and action. Each item of a deal in the run is then looked up in the small index of the
    /// touches sent, not in `touches` itself: at 1,000,000 deals (1.6 million items, 545,769 of them sent) the stream took
    /// 2.9 s of PostgreSQL's time in a report, 1.7 s with these. Dispatch writes one more index entry per touch it sends
    /// (it already writes `touches_sent`'s), planning eight bytes more per item.
    ///
    /// `touches_sent_id` is partial on `id > 0` as well as on being sent: every touch's id is positive (an identity from
    /// 1; the check `touches_id_positive` makes it so for a copied one too, and the migration fails on a database that
    /// holds another), and the report's query says so, but the queries by customer (dispatch's recent touches,
    /// planning's sent ones) never do, so they cannot read it. Partial on being sent alone, it was open to them, and on
    /// statistics gathered before a store's first dispatch (no touch sent yet) PostgreSQL took it for empty and read all
    /// of it for each page of due touches, 35 ms a page instead of 0.4 ms through `touches_sent` (3.6 s of a
    /// 101,765-touch dispatch).
    ///
    /// Like `p5-outbox-order` and `p9-outbox-customer-channel`, it builds an index anew: the new `touch_items` index and
    /// the index of the touches sent are built first (each table takes reads, not writes, meanwhile), then the check is
    /// added, which reads every touch and closes `touches` to readers and writers from then until the commit (about a
    /// second at 1.6 million touches), and the old `touch_items` index is dropped, which closes that table as long (the
    /// new one takes the name SQLite's schema has). Take it with the servers stopped (docs/operations.md).
    static let ledgerTouches = """
        CREATE INDEX touches_sent_id ON touches(id) INCLUDE (sent_at, action) WHERE sent_at IS NOT NULL AND id > 0;
        CREATE INDEX touch_items_deal_touch ON touch_items(deal_id, product_code, template, carries_cost) INCLUDE (touch_id);
        ALTER TABLE touches ADD CONSTRAINT touches_id_positive CHECK (id > 0);
        DROP INDEX touch_items_deal;
        ALTER INDEX touch_items_deal_touch RENAME TO touch_items_deal;
        """
}
