import AfterdeskStorage

extension Migrations {
    /// v7: what the margin report is computed from (DESIGN.md, "Measuring honestly"; docs/reporting.md).
    static let v7Outcomes = """
        -- Each deal's arm, drawn once by the published holdout rule when the deal is first planned, and never changed.
        CREATE TABLE deal_arms (
            deal_id INTEGER PRIMARY KEY REFERENCES deals(id),
            held_out INTEGER NOT NULL,       -- 1: held out (no follow-up at all), 0: treated
            bucket INTEGER NOT NULL,         -- the rule's hash modulo 10,000, to check the draw by hand
            percent INTEGER NOT NULL,        -- the menu's holdout_percent it was drawn against
            assigned_at TEXT NOT NULL
        );
        CREATE TRIGGER deal_arms_no_update BEFORE UPDATE ON deal_arms
            BEGIN SELECT RAISE(ABORT, 'deal_arms is append-only: an arm never changes'); END;
        CREATE TRIGGER deal_arms_no_delete BEFORE DELETE ON deal_arms
            BEGIN SELECT RAISE(ABORT, 'deal_arms is append-only: an arm never changes'); END;
        -- A declined product sold after the desk, as a deal import or a task reported it: one row per source, kept
        -- whatever later imports of the deal say. After-sale contracts are the third source (table contracts).
        CREATE TABLE recoveries (
            deal_id INTEGER NOT NULL REFERENCES deals(id),
            product_code TEXT NOT NULL,
            source TEXT NOT NULL,            -- deal_import | task
            reference TEXT NOT NULL,         -- 'import:12' (run), 'task:7'
            sold_on TEXT NOT NULL,           -- the dealership's calendar date
            price_cents INTEGER NOT NULL,
            cost_cents INTEGER,
            quoted_cents INTEGER,            -- the desk's quote, which a deal import showing the sale overwrote
            reason TEXT,                     -- the desk's decline reason, likewise
            sold_by TEXT,                    -- staff code
            recorded_at TEXT NOT NULL,
            PRIMARY KEY (deal_id, product_code, source)
        ) WITHOUT ROWID;
        -- After-sale contracts (afterdesk import-contracts): a product bought after the desk on a contract of its own.
        CREATE TABLE contracts (
            id INTEGER PRIMARY KEY,
            store_id INTEGER NOT NULL REFERENCES stores(id),
            contract_number TEXT NOT NULL,
            deal_id INTEGER NOT NULL REFERENCES deals(id),
            product_code TEXT NOT NULL,
            sale_date TEXT NOT NULL,
            price_cents INTEGER NOT NULL,
            cost_cents INTEGER NOT NULL,
            sold_by TEXT,
            fingerprint INTEGER NOT NULL,
            import_run_id INTEGER NOT NULL REFERENCES import_runs(id),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (store_id, contract_number)
        );
        CREATE INDEX contracts_deal ON contracts(deal_id, product_code);
        -- Cancellations (afterdesk import-cancellations): of an after-sale contract, or of a product sold on the deal.
        CREATE TABLE cancellations (
            id INTEGER PRIMARY KEY,
            store_id INTEGER NOT NULL REFERENCES stores(id),
            target TEXT NOT NULL,            -- 'contract:<number>' | 'deal:<deal number>:<product>'
            contract_id INTEGER REFERENCES contracts(id),
            deal_id INTEGER NOT NULL REFERENCES deals(id),
            product_code TEXT NOT NULL,
            cancel_date TEXT NOT NULL,
            customer_refund_cents INTEGER,
            chargeback_cents INTEGER NOT NULL,  -- what the dealer gives back of its margin
            reason TEXT,
            fingerprint INTEGER NOT NULL,
            import_run_id INTEGER NOT NULL REFERENCES import_runs(id),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (store_id, target)
        );
        CREATE INDEX cancellations_deal ON cancellations(deal_id, product_code);
        -- The declined products on a refused row (on each of its refused fields), for the capture rate.
        ALTER TABLE rejects ADD COLUMN declines INTEGER NOT NULL DEFAULT 0;
        -- Recoveries recorded before v7 were events only.
        INSERT OR IGNORE INTO recoveries (deal_id, product_code, source, reference, sold_on, price_cents, cost_cents, recorded_at)
            SELECT deal_id, product_code, CASE WHEN source LIKE 'task:%' THEN 'task' ELSE 'deal_import' END, source, occurred_on,
                   COALESCE(price_cents, 0), cost_cents, recorded_at
            FROM events WHERE kind = 'recovered' AND product_code IS NOT NULL ORDER BY id;
        -- Before v7 a task's sale was written into the imported deal's product row, so the next import of the deal
        -- turned it back (a false cancellation, and follow-up planned again). The desk's outcome is restored (its quote
        -- was overwritten and is lost) and the sale stops follow-up instead.
        UPDATE deal_products SET outcome = 'declined', price_cents = NULL, cost_cents = NULL
            WHERE outcome = 'sold' AND (deal_id, product_code) IN (SELECT deal_id, product_code FROM recoveries WHERE source = 'task');
        INSERT OR IGNORE INTO follow_up_stops (deal_id, product_code, kind, source, created_at)
            SELECT deal_id, product_code, 'purchased', reference, recorded_at FROM recoveries WHERE source = 'task';
        -- The holdout moves from single products to whole deals: existing plans are all made again once, on the next
        -- planning.
        INSERT OR REPLACE INTO settings (key, value, updated_at)
            SELECT 'replan_all', 'v7: holdout by deal', strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE EXISTS (SELECT 1 FROM plans);
        """
}
