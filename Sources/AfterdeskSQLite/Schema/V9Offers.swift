import AfterdeskStorage

extension Migrations {
    /// v9: the customer's offer page (docs/offers.md): its links, what was done on them, and "Not now" pauses.
    static let v9Offers = """
        -- One link per message about a declined product: the token is random and kept only as a SHA-256. What the
        -- page shows (why now, the desk's price, until when) is kept as the message said it.
        CREATE TABLE offer_links (
            id INTEGER PRIMARY KEY,
            token_hash TEXT NOT NULL UNIQUE,  -- hex SHA-256 of the token in the URL
            touch_id INTEGER NOT NULL REFERENCES touches(id),
            channel TEXT NOT NULL,            -- sms | email: an opt-out of this channel voids the link
            deal_id INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE,
            customer_id INTEGER NOT NULL REFERENCES customers(id),
            product_code TEXT NOT NULL,
            reason TEXT NOT NULL,             -- why now, as the plan gave it to the message
            quoted_cents INTEGER NOT NULL,    -- the desk's price
            eligible_until TEXT,              -- the last day of the post-sale window (dealership's calendar)
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL          -- UTC: the window's end or 60 days after sending, whichever is first
        );
        CREATE INDEX offer_links_deal ON offer_links(deal_id, product_code);
        CREATE INDEX offer_links_touch ON offer_links(touch_id);
        -- What the customer did on a link: append-only. `opened` is a visit (a GET, which changes nothing else; mail
        -- scanners open links too), the others are button presses (POST).
        CREATE TABLE offer_events (
            id INTEGER PRIMARY KEY,
            link_id INTEGER NOT NULL REFERENCES offer_links(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,               -- opened | interested | call_me | not_now | new_link
            at TEXT NOT NULL,
            task_id INTEGER REFERENCES tasks(id)
        );
        CREATE INDEX offer_events_link ON offer_events(link_id, kind);
        -- "Not now": nothing about the product before `until` (the gate moves or drops it); the latest press wins.
        CREATE TABLE follow_up_pauses (
            deal_id INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE,
            product_code TEXT NOT NULL,
            until TEXT NOT NULL,              -- the first day the product may be raised again
            source TEXT NOT NULL,             -- 'offer:12'
            created_at TEXT NOT NULL,
            PRIMARY KEY (deal_id, product_code)
        ) WITHOUT ROWID;
        -- A task from an offer page points at its link, so a second press does not make a second task.
        ALTER TABLE tasks ADD COLUMN offer_link_id INTEGER REFERENCES offer_links(id);
        CREATE INDEX tasks_offer_link ON tasks(offer_link_id) WHERE offer_link_id IS NOT NULL;
        """
}
