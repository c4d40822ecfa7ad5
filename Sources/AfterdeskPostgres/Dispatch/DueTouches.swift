import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO

extension PostgresStorage {
    /// Up to `limit` planned touches due at `now`, soonest first, each with every fact the gate and the templates need,
    /// read in one snapshot. `after` (a touch's due time and id) pages on without recording anything, for a dry run.
    public func dueTouches(now: Date, limit: Int, after: (dueAt: Date, id: Int64)?) async throws -> [DueTouch] {
        try await snapshot { conn in
            let afterAt = after.map(\.dueAt.wholeSecond)
            var heads: [(id: Int64, customer: Int64, action: String, due: Date)] = []
            let rows = try await conn.statement(
                """
                SELECT id, customer_id, action, due_at FROM touches WHERE status = 'planned' AND due_at <= \(now.wholeSecond)
                AND (\(afterAt)::timestamptz IS NULL OR (due_at, id) > (\(afterAt)::timestamptz, \(after?.id)::bigint))
                ORDER BY due_at, id LIMIT \(min(max(limit, 1), 10_000))
                """, logger: logger)
            for try await h in rows.decode((Int64, Int64, String, Date).self) { heads.append(h) }
            guard !heads.isEmpty else { return [] }
            // The page's facts are looked up by key, a few thousand rows at most: nested loops over the keys' indexes,
            // whatever the statistics say. A freshly imported and planned database has none yet (its tables not yet
            // analyzed), and PostgreSQL then joined every deal, vehicle, plan and product by hash for each page, or
            // compiled the query (JIT) for the cost it imagined: 80-160 ms a page of 1,000 instead of 12-20. For this
            // transaction only.
            try await conn.run(
                """
                SELECT set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true),
                       set_config('jit', 'off', true)
                """, logger)
            let customerIDs = Array(Set(heads.map(\.customer))).sorted()
            let facts = try await customerFacts(conn, customerIDs, now: now)
            let (items, storeOf) = try await dueItems(conn, heads.map(\.id))
            return heads.compactMap { h -> DueTouch? in
                guard let customer = facts.contacts[h.customer], let (storeID, storeCode) = storeOf[h.id],
                    let action = TouchAction(rawValue: h.action)
                else { return nil }
                var touch = DueTouch(
                    id: h.id, storeID: storeID, storeCode: storeCode, action: action, dueAt: h.due, customer: customer,
                    items: items[h.id] ?? [], recentTouches: facts.recent[h.customer] ?? [],
                    lastPurchase: facts.lastPurchase[h.customer] ?? LocalDate(now, in: .gmt),
                    phoneOnDoNotCall: customer.phone.map(facts.doNotCall.contains) ?? false,
                    recentTexts: facts.texts[h.customer] ?? [])
                touch.awaitingReply = facts.awaitingReply.contains(h.customer)
                return touch
            }
        }
    }

    func customerFacts(_ conn: PostgresConnection, _ customerIDs: [Int64], now: Date) async throws -> DueCustomerFacts {
        var facts = DueCustomerFacts()
        for row in try await conn.rows(
            "SELECT \(unescaped: PreviewColumns.customer) FROM customers c WHERE c.id = ANY(\(customerIDs))", logger)
        {
            let contact = try PreviewColumns.customer(row.makeRandomAccess())
            facts.contacts[contact.id] = contact
        }
        try await recentContacts(conn, customerIDs, now: now, into: &facts)
        let purchases = try await conn.statement(
            "SELECT customer_id, MAX(contract_date) FROM deals WHERE customer_id = ANY(\(customerIDs)) GROUP BY customer_id",
            logger: logger)
        for try await (customer, last) in purchases.decode((Int64, LocalDate?).self) { facts.lastPurchase[customer] = last }
        facts.awaitingReply = Set(
            try await conn.all(
                Int64.self,
                """
                SELECT DISTINCT customer_id FROM tasks WHERE customer_id = ANY(\(customerIDs)) AND kind = 'reply' AND status = 'open'
                """, logger))
        let phones = facts.contacts.values.compactMap(\.phone)
        if !phones.isEmpty {
            facts.doNotCall = Set(
                try await conn.all(String.self, "SELECT phone FROM do_not_call WHERE phone = ANY(\(phones))", logger))
        }
        return facts
    }

    /// The customers' touches and staff texts of the last 30 days (the product's caps), and every text of the last two
    /// days (a state's cap on texts in 24 hours).
    private func recentContacts(
        _ conn: PostgresConnection, _ customerIDs: [Int64], now: Date, into facts: inout DueCustomerFacts
    ) async throws {
        let since = now.addingTimeInterval(-30 * 86_400).wholeSecond
        let sent = try await conn.statement(Self.recentTouches(customerIDs, since: since), logger: logger)
        for try await (customer, at) in sent.decode((Int64, Date).self) { facts.recent[customer, default: []].append(at) }
        // Texts people wrote on task pages count as touches too (issue 24, item 5). SQLite's LIKE ignores ASCII case.
        let staff = try await conn.statement(Self.staffTexts(customerIDs, since: since), logger: logger)
        for try await (customer, at) in staff.decode((Int64, Date).self) { facts.recent[customer, default: []].append(at) }
        // Every text, whoever wrote it (a touch or staff): a state's cap on texts in 24 hours counts them all, each at
        // its sending (`TextCount`); one not yet sent, however long ago it was queued, as going now.
        let texts = try await conn.statement(Self.texts(customerIDs, now: now), logger: logger)
        for try await (customer, status, at) in texts.decode((Int64, String, Date).self) {
            facts.texts[customer, default: []].append(TextCount.at(status: status, sentOrCreated: at, now: now))
        }
    }

    /// The touches sent to `customers` since `since`: read through `touches_sent` (customer, sending).
    static func recentTouches(_ customers: [Int64], since: Date) -> PostgresQuery {
        """
        SELECT customer_id, sent_at FROM touches WHERE customer_id = ANY(\(customers)) AND sent_at IS NOT NULL
        AND sent_at >= \(since)
        """
    }

    /// The staff texts (written on task pages) of `customers` since `since`, not cancelled or given up. Read through
    /// `outbox_customer` (customer, channel): migration p9-outbox-customer-channel.
    static func staffTexts(_ customers: [Int64], since: Date) -> PostgresQuery {
        """
        SELECT customer_id, created_at FROM outbox WHERE customer_id = ANY(\(customers)) AND channel = 'sms'
        AND idempotency_key ILIKE 'staff-text-%' AND status NOT IN ('cancelled', 'dead') AND created_at >= \(since)
        """
    }

    /// Every text of `customers` sent or queued in the two days before `now`, and every one not yet sent: with its
    /// status and the instant it went (or was queued). Read through `outbox_customer` (customer, channel).
    static func texts(_ customers: [Int64], now: Date) -> PostgresQuery {
        """
        SELECT customer_id, status, COALESCE(sent_at, created_at) FROM outbox
        WHERE customer_id = ANY(\(customers)) AND channel = 'sms' AND status <> 'cancelled'
        AND (COALESCE(sent_at, created_at) >= \(now.addingTimeInterval(-2 * 86_400).wholeSecond) OR status IN ('queued', 'sending'))
        """
    }

    /// The products of each touch of a page, with their deals' stops and pauses, and each touch's store. The items are
    /// joined from the page's ids (`unnest`), each looked up by key (from `touch_id = ANY(…)` PostgreSQL read the
    /// touch items whole, in parallel: 45 ms a page of 1,000 at 124,000 deals, 12 ms this way).
    private func dueItems(
        _ conn: PostgresConnection, _ touchIDs: [Int64]
    ) async throws -> (items: [Int64: [DueItem]], stores: [Int64: (Int64, String)]) {
        var stops: [Int64: [(String, StopKind)]] = [:]
        let stopRows = try await conn.statement(
            """
            SELECT deal_id, product_code, kind FROM follow_up_stops
            WHERE deal_id IN (SELECT deal_id FROM touch_items WHERE touch_id = ANY(\(touchIDs)))
            """, logger: logger)
        for try await (deal, code, kind) in stopRows.decode((Int64, String, String).self) {
            if let kind = StopKind(rawValue: kind) { stops[deal, default: []].append((code, kind)) }
        }
        var pauses: [Int64: [String: LocalDate]] = [:]
        let pauseRows = try await conn.statement(
            """
            SELECT deal_id, product_code, until FROM follow_up_pauses
            WHERE deal_id IN (SELECT deal_id FROM touch_items WHERE touch_id = ANY(\(touchIDs)))
            """, logger: logger)
        for try await (deal, code, until) in pauseRows.decode((Int64, String, LocalDate).self) { pauses[deal, default: [:]][code] = until }
        var items: [Int64: [DueItem]] = [:]
        var storeOf: [Int64: (Int64, String)] = [:]
        for row in try await conn.rows(
            """
            SELECT i.touch_id, i.product_code, i.touch_name, i.template, i.reason, d.store_id, s.code AS store_code,
                   \(unescaped: PreviewColumns.item)
            FROM unnest(\(Array(Set(touchIDs)))::int8[]) AS t(id) JOIN touch_items i ON i.touch_id = t.id
            JOIN deals d ON d.id = i.deal_id JOIN stores s ON s.id = d.store_id JOIN vehicles v ON v.id = d.vehicle_id
            LEFT JOIN plans p ON p.deal_id = i.deal_id AND p.product_code = i.product_code
            LEFT JOIN deal_products dp ON dp.deal_id = i.deal_id AND dp.product_code = i.product_code
            ORDER BY i.touch_id, d.deal_number, i.product_code
            """, logger)
        {
            let r = DispatchRow(row)
            let touchID: Int64 = try r.get("touch_id")
            let dealID: Int64 = try r.get("deal_id")
            let code: String = try r.get("product_code")
            let dealStops = (stops[dealID] ?? []).filter { $0.0 == code || $0.0 == "*" }.map(\.1)
            var item = try PreviewColumns.item(r.row)
            (item.touchName, item.template, item.reason, item.stops) = try (
                r.get("touch_name"), r.get("template"), r.get("reason"), dealStops
            )
            item.pausedUntil = pauses[dealID]?[code]
            items[touchID, default: []].append(item)
            storeOf[touchID] = try storeOf[touchID] ?? (r.get("store_id"), r.get("store_code"))
        }
        return (items, storeOf)
    }

    /// Brings the first planned touch of up to `customers` customers forward to `to`: for benchmarks and rehearsals
    /// of dispatch on a copy of real data.
    public func advanceFirstTouches(customers: Int, to: Date) async throws {
        try await write { conn in
            try await conn.run(
                """
                UPDATE touches SET due_at = \(to.wholeSecond) WHERE id IN (
                    SELECT MIN(id) FROM touches WHERE status = 'planned' GROUP BY customer_id ORDER BY customer_id
                    LIMIT \(sqliteLimit(customers))::bigint)
                """, logger)
        }
    }
}
