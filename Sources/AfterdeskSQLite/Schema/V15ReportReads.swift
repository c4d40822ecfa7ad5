import AfterdeskStorage

extension Migrations {
    /// v15: what the margin report reads, kept ready for it (issue 28's benchmark of 1,000,000 deals).
    /// - The delivered touches of a run of deals in (deal, product) order: the index holds what the report reads of an
    ///   item, and `carries_cost` says, as planning writes it, whether the item is its touch's first by deal then
    ///   product (the decline the touch's cost is charged to), which the report would otherwise look up item by item.
    ///   NULL for the items planned before: the report looks those up.
    /// - The products sold at the desk on finalized deals, counted by store, product and contract date (`desk_sales`):
    ///   the reserve's cancellation histories (docs/reporting.md, "Net to the store"), which would otherwise join every
    ///   product sold to its deal. Kept by the deal import in the transaction that writes the deals; counted here from
    ///   the deals already stored.
    static let v15ReportReads = """
        ALTER TABLE touch_items ADD COLUMN carries_cost INTEGER;   -- 1: the touch's first item; 0: not; NULL: planned before v15
        CREATE INDEX touch_items_deal ON touch_items(deal_id, product_code, template, carries_cost);
        CREATE TABLE desk_sales (
            store_id INTEGER NOT NULL REFERENCES stores(id),
            product_code TEXT NOT NULL,
            sold_on TEXT NOT NULL,           -- the deal's contract date
            contracts INTEGER NOT NULL,      -- products sold at the desk on the store's finalized deals of that date
            PRIMARY KEY (store_id, product_code, sold_on)
        ) WITHOUT ROWID;
        INSERT INTO desk_sales (store_id, product_code, sold_on, contracts)
            SELECT d.store_id, p.product_code, d.contract_date, COUNT(*) FROM deal_products p JOIN deals d ON d.id = p.deal_id
            WHERE p.outcome = 'sold' AND d.status = 'finalized' GROUP BY 1, 2, 3;
        """
}
