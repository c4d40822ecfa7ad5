import AfterdeskStorage

extension Migrations {
    /// v12: the trade's facts a message may state (issue 25, docs/menus.md "Plan classes"): per planned product, the
    /// windows of its plan classes, the powertrain warranty's projected end, and where the maker's free maintenance
    /// ends, so the send-time facts say only what holds on the day a message goes.
    static let v12TradeFacts = """
        -- `kind:opens:until;…` of the classes that open at all (an empty until: nothing closes it); NULL without classes.
        ALTER TABLE plans ADD COLUMN plan_classes TEXT;
        ALTER TABLE plans ADD COLUMN powertrain_expires_on TEXT;
        ALTER TABLE plans ADD COLUMN powertrain_limit TEXT;      -- time | miles
        ALTER TABLE plans ADD COLUMN free_maintenance_ends_on TEXT;
        -- Existing plans lack them: all are made again once, on the next planning.
        INSERT OR REPLACE INTO settings (key, value, updated_at)
            SELECT 'replan_all', 'v12: plan classes and warranty facts', strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE EXISTS (SELECT 1 FROM plans);
        """
}
