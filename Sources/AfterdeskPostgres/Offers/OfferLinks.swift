import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO

extension PostgresStorage {
    /// Stores the offer links dispatched messages carry (only their tokens' hashes), in one statement, in order; a hash
    /// stored already (or earlier in `messages`) is left as is.
    func insertOfferLinks(_ conn: PostgresConnection, _ messages: [QueuedMessage], now: Date) async throws {
        let links = messages.compactMap { q in q.message.offerLink.map { (q, $0) } }
        guard !links.isEmpty else { return }
        let l = links.map(\.1)
        try await conn.run(
            """
            INSERT INTO offer_links (token_hash, touch_id, channel, deal_id, customer_id, product_code, reason, quoted_cents,
                                     eligible_until, created_at, expires_at)
            SELECT hash, touch, channel, deal, customer, product, reason, cents, eligible::date, \(now), expires
            FROM unnest(\(l.map(\.tokenHash))::text[], \(NullableArray(links.map(\.0.touchID)))::int8[],
                        \(links.map(\.0.message.channel.rawValue))::text[], \(l.map(\.dealID))::int8[],
                        \(NullableArray(links.map(\.0.customerID)))::int8[], \(l.map(\.product))::text[], \(l.map(\.reason))::text[],
                        \(l.map(\.quotedCents))::int8[], \(NullableArray(l.map { $0.eligibleUntil?.description }))::text[],
                        \(l.map(\.expiresAt.wholeSecond))::timestamptz[])
                 WITH ORDINALITY AS v(hash, touch, channel, deal, customer, product, reason, cents, eligible, expires, n)
            ORDER BY n
            ON CONFLICT (token_hash) DO NOTHING
            """, logger)
    }

    /// The link whose token hashes to `tokenHash`, or nil; the link and its deal's stops read in one snapshot.
    public func offerLink(tokenHash: String) async throws -> StoredOfferLink? {
        try await snapshot { conn in
            guard
                let row = try await conn.rows(
                    """
                    SELECT l.id, d.store_id, s.code AS store_code, l.customer_id, l.deal_id, d.deal_number, l.product_code, l.channel,
                           l.reason, l.quoted_cents, l.eligible_until, l.created_at, l.expires_at, c.first_name, c.last_name,
                           v.year, v.make, v.model, v.vin, d.status, d.salesperson_id, d.fi_manager_id,
                           c.consent_sms, c.consent_email, c.contact_stopped_at IS NOT NULL AS contact_stopped,
                           (SELECT dp.outcome FROM deal_products dp WHERE dp.deal_id = l.deal_id AND dp.product_code = l.product_code)
                               AS outcome,
                           (SELECT t.id FROM tasks t WHERE t.offer_link_id = l.id AND t.status = 'open' ORDER BY t.id LIMIT 1) AS open_task
                    FROM offer_links l JOIN deals d ON d.id = l.deal_id JOIN stores s ON s.id = d.store_id
                    JOIN customers c ON c.id = l.customer_id JOIN vehicles v ON v.id = d.vehicle_id
                    WHERE l.token_hash = \(tokenHash)
                    """, logger
                ).first
            else { return nil }
            let r = DispatchRow(row)
            let dealID: Int64 = try r.get("deal_id")
            let product: String = try r.get("product_code")
            let stops = try await conn.all(
                String.self, "SELECT kind FROM follow_up_stops WHERE deal_id = \(dealID) AND product_code IN (\(product), '*')", logger
            ).compactMap(StopKind.init(rawValue:))
            return try Self.offerLink(r, stops: stops)
        }
    }

    /// A stored link from a row of `offerLink(tokenHash:)`'s query and its deal's stops for the product.
    private static func offerLink(_ r: DispatchRow, stops: [StopKind]) throws -> StoredOfferLink {
        let channel: OutboxChannel = try r.stored("channel", of: "offer_links")
        let consent: Bool = try r.get(channel == .email ? "consent_email" : "consent_sms")
        let vin: String = try r.get("vin")
        return StoredOfferLink(
            id: try r.get("id"), storeID: try r.get("store_id"), storeCode: try r.get("store_code"),
            customerID: try r.get("customer_id"), dealID: try r.get("deal_id"), dealNumber: try r.get("deal_number"),
            product: try r.get("product_code"), channel: channel, reason: try r.get("reason"),
            quoted: Money(cents: try r.get("quoted_cents")), eligibleUntil: try r.get("eligible_until"),
            createdAt: try r.get("created_at"), expiresAt: try r.get("expires_at"), firstName: try r.get("first_name"),
            lastName: try r.get("last_name"), vehicleYear: try r.get("year"), vehicleMake: try r.get("make"),
            vehicleModel: try r.get("model"), vinLast4: String(vin.suffix(4)),
            productBought: try r.get("outcome", as: String?.self) == "sold" || stops.contains(.purchased),
            dealUnwound: try r.get("status", as: String.self) == DealStatus.unwound.rawValue,
            optedOut: try !consent || r.get("contact_stopped", as: Bool.self), stops: stops.filter { $0 != .purchased },
            salespersonID: try r.get("salesperson_id"), fiManagerID: try r.get("fi_manager_id"), openTaskID: try r.get("open_task"))
    }

    /// Every offer link's id and when it was sent, oldest first (the demo's simulated visits).
    public func offerLinkTimes() async throws -> [(id: Int64, sentAt: Date)] {
        try await read { conn in
            var out: [(id: Int64, sentAt: Date)] = []
            let rows = try await conn.statement("SELECT id, created_at FROM offer_links ORDER BY id", logger: logger)
            for try await (id, at) in rows.decode((Int64, Date).self) { out.append((id, at)) }
            return out
        }
    }

    /// Records a visit to a link's page: the only thing a GET writes (docs/offers.md).
    public func recordOfferOpened(linkID: Int64, now: Date) async throws {
        try await write { conn in
            try await conn.run(
                "INSERT INTO offer_events (link_id, kind, at) VALUES (\(linkID), 'opened', \(now.wholeSecond))", logger)
        }
    }

    /// Records a press in one transaction: the event, the task (unless the link has an open one) and the pause. The
    /// link's row is locked first, so two presses at once (two servers) make one task.
    public func pressOffer(_ press: OfferPress, now: Date) async throws -> OfferPressResult {
        let now = now.wholeSecond
        return try await write { conn in
            // The task's store's roster lock before the link's row (`RosterLock`).
            if let t = press.task { try await conn.run(RosterLock.take([t.storeID], shared: true), logger) }
            let links = try await conn.statement(
                "SELECT deal_id, product_code FROM offer_links WHERE id = \(press.linkID) FOR NO KEY UPDATE", logger: logger)
            var found: (deal: Int64, product: String)?
            for try await row in links.decode((Int64, String).self) { found = row }
            guard let link = found else { throw StoreError("no offer link \(press.linkID)") }
            var result = OfferPressResult(taskID: nil, taskCreated: false)
            if let t = press.task {
                if let open = try await conn.one(
                    Int64.self,
                    "SELECT id FROM tasks WHERE offer_link_id = \(press.linkID) AND status = 'open' ORDER BY id LIMIT 1", logger)
                {
                    result.taskID = open
                } else {
                    result.taskID = try await DispatchTasks.insert(conn, t, touchID: nil, offerLinkID: press.linkID, now: now, logger)
                    result.taskCreated = true
                }
            }
            if let until = press.pauseUntil {
                try await conn.run(
                    """
                    INSERT INTO follow_up_pauses (deal_id, product_code, until, source, created_at)
                    VALUES (\(link.deal), \(link.product), \(until), \("offer:\(press.linkID)"), \(now))
                    ON CONFLICT (deal_id, product_code) DO UPDATE SET until = excluded.until, source = excluded.source,
                        created_at = excluded.created_at
                    """, logger)
            }
            try await conn.run(
                """
                INSERT INTO offer_events (link_id, kind, at, task_id)
                VALUES (\(press.linkID), \(press.kind.rawValue), \(now), \(result.taskID)::bigint)
                """, logger)
            return result
        }
    }

    /// The offer funnel of the declines a report covers: deals with a contract date in `from`…`to`, of `stores` when given.
    public func offerFunnel(from: LocalDate, to: LocalDate, stores: [String]?) async throws -> OfferFunnel {
        try await read { conn in
            let rows = try await conn.statement(
                """
                WITH links AS (
                    SELECT l.id, l.deal_id, l.product_code FROM offer_links l JOIN deals d ON d.id = l.deal_id
                    WHERE d.contract_date >= \(from) AND d.contract_date <= \(to)
                    AND (\(stores)::text[] IS NULL OR d.store_id IN (SELECT id FROM stores WHERE code = ANY(\(stores))))
                ), kinds AS (
                    SELECT DISTINCT e.link_id, e.kind FROM offer_events e WHERE e.link_id IN (SELECT id FROM links)
                )
                SELECT (SELECT COUNT(*) FROM links),
                       (SELECT COUNT(*) FROM (SELECT DISTINCT deal_id, product_code FROM links) reached),
                       (SELECT COUNT(*) FROM kinds WHERE kind = 'opened'),
                       (SELECT COUNT(*) FROM kinds WHERE kind = 'interested'),
                       (SELECT COUNT(*) FROM kinds WHERE kind = 'call_me'),
                       (SELECT COUNT(*) FROM kinds WHERE kind = 'not_now'),
                       (SELECT COUNT(*) FROM kinds WHERE kind = 'new_link')
                """, logger: logger)
            var f = OfferFunnel()
            for try await (sent, reached, opened, interested, callMe, notNow, newLink) in rows.decode(
                (Int, Int, Int, Int, Int, Int, Int).self)
            {
                (f.linksSent, f.declinesReached, f.opened, f.interested) = (sent, reached, opened, interested)
                (f.callMe, f.notNow, f.newLink) = (callMe, notNow, newLink)
            }
            return f
        }
    }
}
