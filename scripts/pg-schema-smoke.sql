-- What the PostgreSQL baseline does, checked on a database it was just applied to (scripts/pg-schema-check.sh runs this
-- with ON_ERROR_STOP): every failed ASSERT stops it. Everything is rolled back at the end.
BEGIN;

-- A store, a customer, a vehicle, a deal: what the rest points at.
-- (Ids come from the identities, which a rollback does not rewind: psql keeps them as :store and so on.)
INSERT INTO stores (code, name, time_zone, created_at) VALUES ('main', 'Main', 'America/Chicago', '2026-11-18T11:06:40Z') RETURNING id AS store \gset
INSERT INTO import_runs (file, profile, started_at, status, pid) VALUES ('deals.csv', 'canonical', '2026-11-18T11:06:40Z', 'completed', 1)
RETURNING id AS run \gset
INSERT INTO customers (store_id, match_key, match_hash, first_name, last_name, consent_sms, consent_email, consent_phone,
                       consent_source, consent_at, last_deal_on, created_at, updated_at)
VALUES (:store, 'd:D-1', -9223352877994542499, 'Ann', 'Lee', true, true, false, 'import', '2026-11-18T11:06:40Z', '2025-11-18',
        '2026-11-18T11:06:40Z', '2026-11-18T11:06:40Z') RETURNING id AS customer \gset
INSERT INTO vehicles (vin, vin_hash, year, make, model, in_service_date, in_service_estimated)
VALUES ('1GTZMCJV4NF435633', 42, 2022, 'GMC', 'Acadia', '2022-02-12', false) RETURNING id AS vehicle \gset
INSERT INTO deals (store_id, deal_number, customer_id, vehicle_id, status, contract_date, delivery_date, deal_type,
                   vehicle_condition, odometer, selling_price_cents, vehicle_value_cents, fingerprint, import_run_id, created_at, updated_at)
VALUES (:store, 'D-1', :customer, :vehicle, 'finalized', '2025-11-18', '2025-11-18', 'cash', 'used', 35123, 3962399, 3724655, 7, :run,
        '2026-11-18T11:06:40Z', '2026-11-18T11:06:40Z') RETURNING id AS deal \gset

-- Identities: ALWAYS refuses a given id unless told; touches take the planner's ids.
DO $$
BEGIN
    BEGIN
        INSERT INTO stores (id, code, time_zone, created_at) VALUES (99, 'other', 'UTC', now());
        RAISE EXCEPTION 'stores took a given id';
    EXCEPTION WHEN generated_always THEN NULL;
    END;
END $$;
INSERT INTO stores (id, code, time_zone, created_at) OVERRIDING SYSTEM VALUE VALUES (99, 'other', 'UTC', now());
INSERT INTO touches (id, customer_id, due_at, due_on, action, status, planned_at)
VALUES (1000, :customer, '2026-11-18T15:00:00Z', '2026-11-18', 'sms', 'planned', '2026-11-18T11:06:40Z');
INSERT INTO touch_items (touch_id, deal_id, product_code, touch_name, template, reason) VALUES (1000, :deal, 'vsc', 'one-year', 'vsc-one-year', 'why');

-- Byte order for text, whatever the database's locale (the test cluster's is ICU en-US, where these sort otherwise).
INSERT INTO deal_products (deal_id, product_code, outcome, presumed)
VALUES (:deal, 'tire_wheel', 'declined', false), (:deal, 'tire-wheel', 'declined', false), (:deal, 'Tires', 'declined', false),
       (:deal, 'gap', 'declined', false), (:deal, 'GAP', 'declined', false), (:deal, 'tire', 'declined', false);
DO $$
BEGIN
    ASSERT (SELECT array_agg(product_code ORDER BY product_code) FROM deal_products)
        = ARRAY['GAP', 'Tires', 'gap', 'tire', 'tire-wheel', 'tire_wheel'], 'product codes in byte order';
    ASSERT (SELECT count(*) FROM deal_products WHERE product_code < 'tire_wheel') = 5, 'a column against a literal';
END $$;

-- NOCASE: equality with a text parameter (as postgres-nio binds a String), uniqueness, order.
INSERT INTO users (name, role, created_at) VALUES ('Alice', 'admin', now()), ('bob', 'sales', now()), ('Carol', 'sales', now());
PREPARE user_by_name(text) AS SELECT id FROM users WHERE name = $1;
DO $$
DECLARE n bigint;
BEGIN
    SELECT count(*) INTO n FROM users WHERE name = 'ALICE'::text;
    ASSERT n = 1, 'users.name = text ignores case';
    ASSERT (SELECT array_agg(name ORDER BY name) FROM users) = ARRAY['Alice', 'bob', 'Carol'], 'users in case-insensitive order';
    BEGIN
        INSERT INTO users (name, role, created_at) VALUES ('alice', 'sales', now());
        RAISE EXCEPTION 'a second alice';
    EXCEPTION WHEN unique_violation THEN NULL;
    END;
    INSERT INTO sign_in_attempts (user_name, address, succeeded, at) VALUES ('ALICE', '127.0.0.1', false, now());
    ASSERT (SELECT count(*) FROM sign_in_attempts WHERE user_name = 'alice'::text) = 1, 'sign_in_attempts.user_name ignores case';
END $$;
CREATE TEMPORARY TABLE found_user AS EXECUTE user_by_name('aLiCe');
DO $$
BEGIN
    ASSERT (SELECT count(*) FROM found_user) = 1, 'a prepared statement with a text parameter ignores case';
END $$;

-- The opt-out ledger: the state follows the entry with the largest id; entries never change.
INSERT INTO opt_outs (address, channel, action, source, detail, recorded_by, at)
VALUES ('+15125550100', 'sms', 'stop', 'keyword', 'STOP', 'customer', '2026-11-18T12:00:00Z');
INSERT INTO opt_outs (address, channel, action, source, detail, recorded_by, at)
VALUES ('+15125550100', 'sms', 'restore', 'start', 'START', 'customer', '2026-11-18T13:00:00Z');
INSERT INTO opt_outs (address, channel, action, source, detail, recorded_by, at)
VALUES ('+15125550100', 'phone', 'stop', 'staff_outcome', 'wrong number', 'staff', '2026-11-18T13:00:00Z');
DO $$
BEGIN
    ASSERT (SELECT NOT stopped AND entry_id = (SELECT max(id) FROM opt_outs WHERE channel = 'sms') FROM opt_out_state
            WHERE address = '+15125550100' AND channel = 'sms'), 'sms restored';
    ASSERT (SELECT stopped AND entry_id = (SELECT max(id) FROM opt_outs) FROM opt_out_state
            WHERE address = '+15125550100' AND channel = 'phone'), 'phone stopped';
    BEGIN
        UPDATE opt_outs SET detail = 'changed';
        RAISE EXCEPTION 'opt_outs changed';
    EXCEPTION WHEN raise_exception THEN
        ASSERT SQLERRM = 'opt_outs is append-only', SQLERRM;
    END;
    BEGIN
        DELETE FROM opt_outs;
        RAISE EXCEPTION 'opt_outs deleted';
    EXCEPTION WHEN raise_exception THEN NULL;
    END;
    BEGIN
        INSERT INTO opt_outs (address, channel, action, source, detail, recorded_by, at)
        VALUES ('x', 'fax', 'stop', 'admin', 'x', 'x', now());
        RAISE EXCEPTION 'a fax opt-out';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
END $$;

-- Deal arms are append-only.
INSERT INTO deal_arms (deal_id, held_out, bucket, percent, assigned_at) VALUES (:deal, false, 5107, 10, '2026-11-18T11:06:40Z');
DO $$
BEGIN
    BEGIN
        UPDATE deal_arms SET held_out = true;
        RAISE EXCEPTION 'an arm changed';
    EXCEPTION WHEN raise_exception THEN
        ASSERT SQLERRM = 'deal_arms is append-only: an arm never changes', SQLERRM;
    END;
END $$;

-- Instants keep whole seconds (as SQLite's text); dates are dates.
INSERT INTO settings (key, value, updated_at) VALUES ('t', 'v', '2026-11-18T11:06:40.4Z');
DO $$
BEGIN
    ASSERT (SELECT updated_at = '2026-11-18T11:06:40Z' FROM settings WHERE key = 't'), 'whole seconds';
    ASSERT (SELECT contract_date = date '2025-11-18' AND contract_date + 1 = date '2025-11-19' FROM deals), 'dates';
END $$;

-- Cascades as on SQLite: a touch's items go with it; a deal's products, plans and horizons with the deal (none here).
DELETE FROM touches WHERE id = 1000;
DO $$
BEGIN
    ASSERT (SELECT count(*) FROM touch_items) = 0, 'touch items cascade';
END $$;

-- web_imports.stores is a JSON array the queries look into.
INSERT INTO web_imports (user_id, file_name, path, profile, status, created_at, stores)
VALUES ((SELECT min(id) FROM users), 'deals.csv', '/tmp/x', 'canonical', 'done', now(), '["main", "north"]');
DO $$
BEGIN
    ASSERT (SELECT count(*) FROM web_imports w, jsonb_array_elements_text(w.stores) j WHERE j = 'north') = 1, 'stores';
END $$;

ROLLBACK;
\echo smoke: every check passed
