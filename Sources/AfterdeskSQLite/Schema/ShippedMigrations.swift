import AfterdeskStorage
import GRDB

extension Migrations {
    // MARK: The SQL of the shipped migrations, exactly as shipped (MigrationTests pins each by hash).

    static let v1Capture = """
        CREATE TABLE stores (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,
            name TEXT,
            time_zone TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE staff (
            id INTEGER PRIMARY KEY,
            store_id INTEGER NOT NULL REFERENCES stores(id),
            staff_code TEXT NOT NULL,
            name TEXT,
            role TEXT NOT NULL,              -- 'sales', 'fi', 'manager', 'bdc'
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            UNIQUE (store_id, staff_code)
        );
        CREATE TABLE customers (
            id INTEGER PRIMARY KEY,
            store_id INTEGER NOT NULL REFERENCES stores(id),
            match_key TEXT NOT NULL,         -- n:<customer number> | p:<E.164> | e:<email> | d:<deal number>
            match_hash INTEGER NOT NULL,     -- FNV-1a of match_key: an 8-byte index key instead of the text
            first_name TEXT NOT NULL,
            last_name TEXT NOT NULL,
            email TEXT,
            phone TEXT,                      -- E.164
            state TEXT,
            zip TEXT,
            customer_number TEXT,
            -- Consent per channel. Where it came from and when: consent_<channel>_source/_at when that
            -- channel changed on its own (an opt-out, a later import changing it), else consent_source/_at,
            -- the import that set all three. Read as COALESCE(consent_sms_source, consent_source).
            consent_sms INTEGER NOT NULL,
            consent_email INTEGER NOT NULL,
            consent_phone INTEGER NOT NULL,
            consent_source TEXT NOT NULL,
            consent_at TEXT NOT NULL,
            consent_sms_source TEXT,
            consent_sms_at TEXT,
            consent_email_source TEXT,
            consent_email_at TEXT,
            consent_phone_source TEXT,
            consent_phone_at TEXT,
            last_deal_on TEXT NOT NULL,      -- contract date of the newest deal that set these facts
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        -- One customer per (store, match_key): the importer looks up by hash and key inside its write
        -- transaction before inserting (SQLite has one writer). Hashes keep this index small enough to
        -- stay in the page cache at millions of customers, where a text index would not.
        CREATE INDEX customers_match ON customers(store_id, match_hash);
        CREATE TABLE vehicles (
            id INTEGER PRIMARY KEY,          -- rowid: deals point here in insertion order, cheap to index
            vin TEXT NOT NULL,               -- 17 characters, check digit verified; one row per VIN
            vin_hash INTEGER NOT NULL,       -- FNV-1a of vin, for the same reason as customers.match_hash
            year INTEGER NOT NULL,
            make TEXT NOT NULL,
            model TEXT NOT NULL,
            in_service_date TEXT NOT NULL,
            in_service_estimated INTEGER NOT NULL
        );
        CREATE INDEX vehicles_vin ON vehicles(vin_hash);
        CREATE TABLE import_runs (
            id INTEGER PRIMARY KEY,
            file TEXT NOT NULL,
            profile TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL,            -- 'running', 'completed', 'failed', 'interrupted'
            pid INTEGER NOT NULL,
            read_count INTEGER NOT NULL DEFAULT 0,
            inserted INTEGER NOT NULL DEFAULT 0,
            updated INTEGER NOT NULL DEFAULT 0,
            unchanged INTEGER NOT NULL DEFAULT 0,
            rejected INTEGER NOT NULL DEFAULT 0,
            declines INTEGER NOT NULL DEFAULT 0,
            error TEXT
        );
        CREATE TABLE deals (
            id INTEGER PRIMARY KEY,
            store_id INTEGER NOT NULL REFERENCES stores(id),
            deal_number TEXT NOT NULL,
            customer_id INTEGER NOT NULL REFERENCES customers(id),  -- contact facts and consent live there only
            vehicle_id INTEGER NOT NULL REFERENCES vehicles(id),
            status TEXT NOT NULL,            -- 'finalized' | 'unwound'
            contract_date TEXT NOT NULL,
            delivery_date TEXT NOT NULL,
            deal_type TEXT NOT NULL,         -- 'cash' | 'finance' | 'lease'
            vehicle_condition TEXT NOT NULL, -- 'new' | 'used'
            odometer INTEGER NOT NULL,       -- miles at sale: the vehicle's reading on delivery_date
            selling_price_cents INTEGER NOT NULL,
            vehicle_value_cents INTEGER NOT NULL,
            amount_financed_cents INTEGER,
            apr_milli INTEGER,               -- thousandths of a percent: 6.9% is 6900
            term_months INTEGER,
            first_payment_date TEXT,
            lender TEXT,
            salesperson_id INTEGER REFERENCES staff(id),
            fi_manager_id INTEGER REFERENCES staff(id),
            fingerprint INTEGER NOT NULL,    -- of the imported record: equal means unchanged
            import_run_id INTEGER NOT NULL REFERENCES import_runs(id),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (store_id, deal_number)
        );
        -- Further indexes on deals (by customer, by vehicle, by date) arrive with the queries that need
        -- them: each costs a B-tree insert per imported deal.
        CREATE TABLE deal_products (
            deal_id INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE,
            product_code TEXT NOT NULL,
            outcome TEXT NOT NULL,           -- 'sold' | 'declined'  (not offered: no row)
            price_cents INTEGER,
            cost_cents INTEGER,
            reason TEXT,
            presumed INTEGER NOT NULL,       -- declined by the full-menu presumption, not recorded
            PRIMARY KEY (deal_id, product_code)
        ) WITHOUT ROWID;
        CREATE TABLE odometer_readings (
            id INTEGER PRIMARY KEY,
            vehicle_id INTEGER NOT NULL REFERENCES vehicles(id),
            read_on TEXT NOT NULL,
            miles INTEGER NOT NULL,
            source TEXT NOT NULL,
            UNIQUE (vehicle_id, read_on, source)
        );
        CREATE TABLE rejects (
            id INTEGER PRIMARY KEY,
            import_run_id INTEGER NOT NULL REFERENCES import_runs(id),
            file TEXT NOT NULL,
            line INTEGER NOT NULL,
            deal_number TEXT,
            field TEXT NOT NULL,
            value TEXT NOT NULL,
            error TEXT NOT NULL
        );
        CREATE INDEX rejects_run ON rejects(import_run_id);
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            deal_id INTEGER NOT NULL REFERENCES deals(id),
            product_code TEXT,
            kind TEXT NOT NULL,              -- 'recovered' | 'cancelled' | 'unwound' | 'reinstated'
            occurred_on TEXT NOT NULL,       -- the dealership's calendar date
            recorded_at TEXT NOT NULL,       -- UTC instant
            price_cents INTEGER,
            cost_cents INTEGER,
            source TEXT NOT NULL,            -- e.g. 'import:12' (import run)
            detail TEXT
        );
        CREATE INDEX events_deal ON events(deal_id);
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        """

    static let v2Plans = """
        -- Planning reads a customer's deals together.
        CREATE INDEX deals_customer ON deals(customer_id);
        CREATE TABLE plans (
            deal_id INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE,
            product_code TEXT NOT NULL,
            holdout INTEGER NOT NULL,
            eligible_until TEXT,
            eligibility_rule TEXT,           -- days_from_contract | basic_warranty | vehicle_age | odometer
            note TEXT,                       -- why nothing is planned, when nothing is
            basic_expires_on TEXT,
            basic_limit TEXT,                -- time | miles
            miles_per_year INTEGER,
            gap_exposure_ends_on TEXT,
            planned_at TEXT NOT NULL,
            PRIMARY KEY (deal_id, product_code)
        ) WITHOUT ROWID;
        CREATE TABLE touches (
            id INTEGER PRIMARY KEY,
            customer_id INTEGER NOT NULL REFERENCES customers(id),
            due_at TEXT NOT NULL,            -- UTC instant
            due_on TEXT NOT NULL,            -- the customer's calendar date
            action TEXT NOT NULL,            -- sms | email | task
            status TEXT NOT NULL,            -- planned | sent | cancelled | skipped
            status_reason TEXT,
            planned_at TEXT NOT NULL
        );
        CREATE INDEX touches_due ON touches(status, due_at);
        CREATE INDEX touches_customer ON touches(customer_id, status);
        CREATE TABLE touch_items (
            touch_id INTEGER NOT NULL REFERENCES touches(id) ON DELETE CASCADE,
            deal_id INTEGER NOT NULL REFERENCES deals(id),
            product_code TEXT NOT NULL,
            touch_name TEXT NOT NULL,
            template TEXT NOT NULL,
            reason TEXT NOT NULL,
            PRIMARY KEY (touch_id, deal_id, product_code)
        ) WITHOUT ROWID;
        """

    static let v3Dispatch = """
        -- "Stop contacting me", recorded by staff: nothing at all any more, not even a call.
        ALTER TABLE customers ADD COLUMN contact_stopped_at TEXT;
        ALTER TABLE customers ADD COLUMN contact_stopped_source TEXT;
        -- When a touch was dispatched (message queued in the outbox, or task created).
        ALTER TABLE touches ADD COLUMN sent_at TEXT;
        CREATE INDEX touches_sent ON touches(customer_id, sent_at) WHERE sent_at IS NOT NULL;
        CREATE TABLE do_not_call (
            phone TEXT PRIMARY KEY,          -- E.164
            source TEXT NOT NULL,            -- e.g. 'national-dnc 2026-11', 'internal'
            added_at TEXT NOT NULL
        ) WITHOUT ROWID;
        -- Why follow-up of a declined product (or '*': every product of the deal) stops for good.
        CREATE TABLE follow_up_stops (
            deal_id INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE,
            product_code TEXT NOT NULL,      -- a menu code, or '*'
            kind TEXT NOT NULL,              -- vehicle_sold | loan_paid_off | not_interested
            source TEXT NOT NULL,            -- 'task:12', 'cli', ...
            created_at TEXT NOT NULL,
            PRIMARY KEY (deal_id, product_code, kind)
        ) WITHOUT ROWID;
        CREATE TABLE tasks (
            id INTEGER PRIMARY KEY,
            store_id INTEGER NOT NULL REFERENCES stores(id),
            customer_id INTEGER NOT NULL REFERENCES customers(id),
            touch_id INTEGER UNIQUE REFERENCES touches(id),   -- the planned touch it came from; NULL for a reply
            kind TEXT NOT NULL,              -- follow_up | reply
            title TEXT NOT NULL,
            detail TEXT NOT NULL,
            assignee_id INTEGER REFERENCES staff(id),
            due_at TEXT NOT NULL,
            sla_at TEXT NOT NULL,            -- overdue after this: escalated to the store's manager
            status TEXT NOT NULL,            -- open | done
            outcome TEXT,
            price_cents INTEGER,
            cost_cents INTEGER,
            note TEXT,
            escalated_to INTEGER REFERENCES staff(id),
            escalated_at TEXT,
            created_at TEXT NOT NULL,
            completed_at TEXT
        );
        CREATE INDEX tasks_open ON tasks(status, assignee_id);
        CREATE INDEX tasks_customer ON tasks(customer_id);
        -- Every message to a provider, recorded before it is sent (DESIGN.md: nothing twice, nothing lost).
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            idempotency_key TEXT NOT NULL UNIQUE,
            touch_id INTEGER REFERENCES touches(id),
            task_id INTEGER REFERENCES tasks(id),
            customer_id INTEGER REFERENCES customers(id),
            channel TEXT NOT NULL,           -- sms | email | crm_lead | webhook
            recipient TEXT NOT NULL,
            subject TEXT,
            body TEXT NOT NULL,
            html TEXT,
            headers TEXT,                    -- JSON object of extra headers (List-Unsubscribe, signatures)
            status TEXT NOT NULL,            -- queued | sending | sent | delivered | undelivered | dead | cancelled
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            last_error TEXT,
            provider_id TEXT,
            provider_status TEXT,
            created_at TEXT NOT NULL,
            sent_at TEXT,
            updated_at TEXT NOT NULL
        );
        -- Partial indexes, so that recording a send changes as few pages as possible (each is committed on
        -- its own): what is queued, by when it is due; what is in flight.
        CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE status = 'queued';
        CREATE INDEX outbox_sending ON outbox(id) WHERE status = 'sending';
        -- Delivery reports name the provider's message id (SMS only: an email's is its Message-ID).
        CREATE INDEX outbox_provider ON outbox(provider_id) WHERE channel = 'sms' AND provider_id IS NOT NULL;
        CREATE INDEX outbox_customer ON outbox(customer_id);
        -- What customers sent back.
        CREATE TABLE inbound_messages (
            id INTEGER PRIMARY KEY,
            provider_id TEXT UNIQUE,
            customer_id INTEGER REFERENCES customers(id),
            from_phone TEXT NOT NULL,
            body TEXT NOT NULL,
            keyword TEXT,                    -- stop | start | help | NULL (a reply: becomes a task)
            task_id INTEGER REFERENCES tasks(id),
            received_at TEXT NOT NULL
        );
        -- Inbound texts are matched to customers through what was sent to them (an index on customers.phone
        -- would cost every imported deal a B-tree insert).
        CREATE INDEX outbox_recipient ON outbox(recipient, channel);
        """

    static let v4CompactPlans = """
        ALTER TABLE plans ADD COLUMN no_follow_up TEXT;   -- holdout | signing_only | window_closed | cash_deal | …
        UPDATE plans SET no_follow_up = 'holdout' WHERE holdout = 1;
        ALTER TABLE plans DROP COLUMN note;
        ALTER TABLE plans DROP COLUMN planned_at;
        """

    static let v5UniqueHashes = "DROP INDEX customers_match; DROP INDEX vehicles_vin"

    static let v6Hardening = """
        -- v3 was edited after it shipped: a database created by the first dispatch release has the old outbox indexes
        -- (outbox_pending; outbox_provider and outbox_customer with other columns) and lacks outbox_due and
        -- outbox_sending. Rebuild them as v3 now reads, on every database.
        DROP INDEX IF EXISTS outbox_pending;
        DROP INDEX IF EXISTS outbox_provider;
        DROP INDEX IF EXISTS outbox_customer;
        CREATE INDEX IF NOT EXISTS outbox_due ON outbox(next_attempt_at) WHERE status = 'queued';
        CREATE INDEX IF NOT EXISTS outbox_sending ON outbox(id) WHERE status = 'sending';
        CREATE INDEX outbox_provider ON outbox(provider_id) WHERE channel = 'sms' AND provider_id IS NOT NULL;
        CREATE INDEX outbox_customer ON outbox(customer_id);
        -- v1 was edited too: databases from before it dropped them carry two deals indexes nothing reads.
        DROP INDEX IF EXISTS deals_vehicle;
        -- Warnings (a kept row's implausible value) are listed beside refused rows.
        ALTER TABLE rejects ADD COLUMN severity TEXT NOT NULL DEFAULT 'refused';   -- refused | warning
        -- The people who sign in or hold API tokens (docs/security.md).
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            role TEXT NOT NULL,              -- fi_manager | sales | finance_director | admin
            staff_id INTEGER REFERENCES staff(id),   -- a sales user sees the tasks of this staff member only
            store_id INTEGER REFERENCES stores(id),  -- NULL: every store
            password_hash TEXT,              -- bcrypt, for signing in to the web pages
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            disabled_at TEXT
        );
        -- API tokens: only a SHA-256 of each is kept; the token itself is shown once.
        CREATE TABLE api_tokens (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            token_hash TEXT NOT NULL UNIQUE, -- hex SHA-256 of the token
            label TEXT NOT NULL,             -- the token's first characters, to tell tokens apart
            created_at TEXT NOT NULL,
            expires_at TEXT,
            revoked_at TEXT
        );
        CREATE INDEX api_tokens_user ON api_tokens(user_id);
        """
}
