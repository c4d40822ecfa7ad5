// A PostgreSQL migration of issue 29 (dispatch on PostgreSQL): the outbox's messages of a customer by channel.

extension PostgresMigrations {
    /// `p9-outbox-customer-channel`: `outbox_customer` again, keyed on (customer_id, channel) instead of customer_id
    /// alone. Each page of due touches reads the texts of its thousand customers (the 30-day caps' staff texts, a
    /// state's cap on texts in 24 hours: `customer_id = ANY(…) AND channel = 'sms'`). On an outbox not yet analyzed —
    /// empty when the statistics were last gathered, filling as dispatch runs, as on a store's first day or after a
    /// big import — PostgreSQL took `channel = 'sms'` for rare and read every text's entry of `outbox_recipient`
    /// (recipient, channel) besides the customers' (a benchmark's 101,765 due touches: 36–40 ms a page for each of the two
    /// reads, 7.8 s of 17 s; about 1 ms each with this index, whatever the statistics say). It serves every look-up by
    /// customer alone as the old one did, and is one index, as before, for each message written.
    ///
    /// As in `p5-outbox-order`: the new index is built first and the old one dropped after, then renamed to the name
    /// SQLite's schema has (building it blocks writes to the outbox, not reads, until the migration commits).
    static let outboxCustomer = """
        CREATE INDEX outbox_customer_channel ON outbox(customer_id, channel);
        DROP INDEX outbox_customer;
        ALTER INDEX outbox_customer_channel RENAME TO outbox_customer;
        """
}
