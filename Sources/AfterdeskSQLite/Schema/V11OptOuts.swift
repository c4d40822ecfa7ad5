import AfterdeskStorage

extension Migrations {
    /// v11: the opt-out ledger (issue 24, docs/compliance.md "Opt-outs"): every stop and every restore of a channel,
    /// append-only, keyed by the address it applies to, and the state each address and channel is in now.
    static let v11OptOuts = """
        -- One entry per stop or restore. `address` is an E.164 phone (as customers.phone), a lower-cased email address,
        -- or `customer:<id>` for a customer's "stop all contact". It is not a reference to a customer: a STOP from a
        -- number Afterdesk does not know yet is kept, and applies when the number arrives.
        CREATE TABLE opt_outs (
            id INTEGER PRIMARY KEY,
            address TEXT NOT NULL,
            channel TEXT NOT NULL CHECK (channel IN ('sms', 'email', 'phone')),
            action TEXT NOT NULL CHECK (action IN ('stop', 'restore')),
            -- keyword | unsubscribe_link | one_click | staff_outcome | dms_block | admin | start | consent_restore | migrated
            source TEXT NOT NULL,
            detail TEXT NOT NULL,        -- what was said or done: the keyword, `Block Phone = Y`, staff's evidence
            reference TEXT,              -- where it is kept: the message id, the import file and line, the task
            recorded_by TEXT NOT NULL,   -- `customer`, a user's name, `import <file>`
            customer_id INTEGER,         -- the customer it was recorded for, when there was one (no reference: kept forever)
            effective_on TEXT,           -- a consent restore: the date of its evidence
            at TEXT NOT NULL             -- UTC
        );
        CREATE INDEX opt_outs_address ON opt_outs(address, channel, id);
        CREATE TRIGGER opt_outs_no_update BEFORE UPDATE ON opt_outs
        BEGIN SELECT RAISE(ABORT, 'opt_outs is append-only'); END;
        CREATE TRIGGER opt_outs_no_delete BEFORE DELETE ON opt_outs
        BEGIN SELECT RAISE(ABORT, 'opt_outs is append-only'); END;
        -- What stands now for each address and channel: the latest entry. Maintained by the trigger in the same
        -- transaction as the entry; what the import, planning and the gate read (one primary-key search).
        CREATE TABLE opt_out_state (
            address TEXT NOT NULL,
            channel TEXT NOT NULL,
            stopped INTEGER NOT NULL,    -- 1: stopped; 0: restored by the customer's START or staff's recorded consent
            entry_id INTEGER NOT NULL REFERENCES opt_outs(id),
            PRIMARY KEY (address, channel)
        ) WITHOUT ROWID;
        CREATE TRIGGER opt_outs_state AFTER INSERT ON opt_outs
        BEGIN
            INSERT INTO opt_out_state (address, channel, stopped, entry_id)
            VALUES (NEW.address, NEW.channel, NEW.action = 'stop', NEW.id)
            ON CONFLICT (address, channel) DO UPDATE SET stopped = excluded.stopped, entry_id = excluded.entry_id;
        END;
        -- The opt-outs recorded before the ledger, carried over in the order they happened: the STOP and START texts
        -- (including those from numbers not imported yet), email unsubscribes, staff's "stop contacting" and "wrong
        -- number". An unsubscribe or a wrong number that an import had already overwritten before the ledger cannot be
        -- recovered: the old rows no longer say it.
        INSERT INTO opt_outs (address, channel, action, source, detail, reference, recorded_by, customer_id, at)
        SELECT from_phone, 'sms', CASE keyword WHEN 'stop' THEN 'stop' ELSE 'restore' END,
               CASE keyword WHEN 'stop' THEN 'keyword' ELSE 'start' END,
               upper(keyword), provider_id, 'customer', customer_id, received_at
        FROM inbound_messages WHERE keyword IN ('stop', 'start') ORDER BY id;
        INSERT INTO opt_outs (address, channel, action, source, detail, recorded_by, customer_id, at)
        SELECT lower(email), 'email', 'stop', 'unsubscribe_link', consent_email_source, 'customer', id, consent_email_at
        FROM customers
        WHERE email IS NOT NULL AND consent_email = 0 AND consent_email_source = 'email unsubscribe link' AND consent_email_at IS NOT NULL
        ORDER BY consent_email_at, id;
        INSERT INTO opt_outs (address, channel, action, source, detail, recorded_by, customer_id, at)
        SELECT address, channel, 'stop', 'staff_outcome', COALESCE(source, 'stop contacting'), 'staff', id, at
        FROM (SELECT id, 'customer:' || id AS address, 'sms' AS channel, contact_stopped_source AS source, contact_stopped_at AS at
              FROM customers WHERE contact_stopped_at IS NOT NULL
              UNION ALL SELECT id, 'customer:' || id, 'email', contact_stopped_source, contact_stopped_at
              FROM customers WHERE contact_stopped_at IS NOT NULL
              UNION ALL SELECT id, 'customer:' || id, 'phone', contact_stopped_source, contact_stopped_at
              FROM customers WHERE contact_stopped_at IS NOT NULL
              UNION ALL SELECT id, phone, 'sms', contact_stopped_source, contact_stopped_at
              FROM customers WHERE contact_stopped_at IS NOT NULL AND phone IS NOT NULL
              UNION ALL SELECT id, phone, 'phone', contact_stopped_source, contact_stopped_at
              FROM customers WHERE contact_stopped_at IS NOT NULL AND phone IS NOT NULL
              UNION ALL SELECT id, lower(email), 'email', contact_stopped_source, contact_stopped_at
              FROM customers WHERE contact_stopped_at IS NOT NULL AND email IS NOT NULL)
        ORDER BY at, id, address, channel;
        -- Staff's "wrong number" before the ledger: texts and calls to that number stopped (the old code kept it only as
        -- the customer's consent, which the next import could turn back on).
        INSERT INTO opt_outs (address, channel, action, source, detail, recorded_by, customer_id, at)
        SELECT phone, channel, 'stop', 'staff_outcome', 'wrong number', 'staff', id, consent_sms_at
        FROM customers, (SELECT 'sms' AS channel UNION ALL SELECT 'phone')
        WHERE phone IS NOT NULL AND consent_sms = 0 AND consent_sms_source LIKE '% wrong number' AND consent_sms_at IS NOT NULL
        ORDER BY consent_sms_at, id, channel;
        """
}
