// A PostgreSQL migration of issue 29, step c: what the margin report's ledger read needs at a million deals.

extension PostgresMigrations {
    /// `p4-plan-indexes`: the declines in the ledger's order, with what the ledger reads of them, so its declines
    /// read (`DeskDealCursor`: `WHERE outcome = 'declined'`, grouped by deal in the index's order) is an index-only scan
    /// instead of a walk of the whole table in key order (at 1,000,000 deals, 3.2 million declines: about 1.1 s
    /// instead of 2–4 s). `product_code` keeps the table's `COLLATE "C"`, the byte order the merge relies on.
    static let planIndexes = """
        CREATE INDEX deal_products_declined ON deal_products (deal_id, product_code) INCLUDE (price_cents, outcome)
        WHERE outcome = 'declined';
        """
}
