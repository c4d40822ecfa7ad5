import AfterdeskStorage

extension Migrations {
    /// v14: the margin report's horizon per decline (issue 28; docs/reporting.md, "The measurement horizon"): the last
    /// day the declined product could be bought by the facts at contract, written when the decline is planned, in both
    /// arms. A table of its own rather than a column of `plans`: a plan row is made again (or not at all) once follow-up
    /// stops — the product bought, the customer not interested — and those are the declines the report measures most.
    static let v14DeclineHorizons = """
        CREATE TABLE decline_horizons (
            deal_id INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE,
            product_code TEXT NOT NULL,
            horizon_until TEXT,              -- the last day; NULL: no rule closes it
            PRIMARY KEY (deal_id, product_code)
        ) WITHOUT ROWID;
        -- Existing declines have none, and held-out deals are now followed up after holdout_months: all plans are made
        -- again once, on the next planning.
        INSERT OR REPLACE INTO settings (key, value, updated_at)
            SELECT 'replan_all', 'v14: decline horizons and the holdout that ends', strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
            WHERE EXISTS (SELECT 1 FROM plans);
        """
}
