import AfterdeskStorage

extension Migrations {
    /// v15: the margin report reads the delivered touches of a run of deals in (deal, product) order (issue 28's
    /// benchmark: the whole table scanned by each half of the read, then sorted, was a third of SQLite's work). The
    /// index holds what the report reads of an item, and `carries_cost` says, as planning writes it, whether the item is
    /// its touch's first by deal then product (the decline the touch's cost is charged to), which the report would
    /// otherwise look up item by item. NULL for the items planned before: the report looks those up.
    static let v15TouchItemsByDeal = """
        ALTER TABLE touch_items ADD COLUMN carries_cost INTEGER;   -- 1: the touch's first item; 0: not; NULL: planned before v15
        CREATE INDEX touch_items_deal ON touch_items(deal_id, product_code, template, carries_cost);
        """
}
