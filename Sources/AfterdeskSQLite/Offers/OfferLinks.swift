import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {
    func insertOfferLink(_ db: Database, _ l: NewOfferLink, touchID: Int64, channel: OutboxChannel, customerID: Int64, now: String) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO offer_links (token_hash, touch_id, channel, deal_id, customer_id, product_code, reason, quoted_cents,
                                         eligible_until, created_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (token_hash) DO NOTHING
                """
        ).execute(arguments: [
            l.tokenHash, touchID, channel.rawValue, l.dealID, customerID, l.product, l.reason, l.quotedCents, l.eligibleUntil?.description,
            now,
            Instant.iso8601(l.expiresAt),
        ])
    }

    /// The link whose token hashes to `tokenHash`, or nil.
    public func offerLink(tokenHash: String) async throws -> StoredOfferLink? {
        try await writer.read { db in try Self.offerLink(db, where: "l.token_hash = ?", tokenHash) }
    }

    static func offerLink(_ db: Database, where condition: String, _ value: some DatabaseValueConvertible) throws -> StoredOfferLink? {
        guard
            let r = try Row.fetchOne(
                db,
                sql: """
                    SELECT l.id, d.store_id, s.code AS store_code, l.customer_id, l.deal_id, d.deal_number, l.product_code, l.channel,
                           l.reason, l.quoted_cents, l.eligible_until, l.created_at, l.expires_at, c.first_name, c.last_name,
                           v.year, v.make, v.model, v.vin, d.status, d.salesperson_id, d.fi_manager_id,
                           c.consent_sms, c.consent_email, c.contact_stopped_at,
                           (SELECT dp.outcome FROM deal_products dp WHERE dp.deal_id = l.deal_id AND dp.product_code = l.product_code)
                               AS outcome,
                           (SELECT t.id FROM tasks t WHERE t.offer_link_id = l.id AND t.status = 'open' ORDER BY t.id LIMIT 1) AS open_task
                    FROM offer_links l JOIN deals d ON d.id = l.deal_id JOIN stores s ON s.id = d.store_id
                    JOIN customers c ON c.id = l.customer_id JOIN vehicles v ON v.id = d.vehicle_id
                    WHERE \(condition)
                    """, arguments: [value])
        else { return nil }
        let id: Int64 = r["id"]
        let dealID: Int64 = r["deal_id"]
        let product: String = r["product_code"]
        let stops = try String.fetchAll(
            db, sql: "SELECT kind FROM follow_up_stops WHERE deal_id = ? AND product_code IN (?, '*')", arguments: [dealID, product]
        ).compactMap(StopKind.init(rawValue:))
        let channel: OutboxChannel = try r.stored("channel", of: "offer_links")
        let consent: Bool = channel == .email ? r["consent_email"] : r["consent_sms"]
        let vin: String = r["vin"]
        return try StoredOfferLink(
            id: id, storeID: r["store_id"], storeCode: r["store_code"], customerID: r["customer_id"], dealID: dealID,
            dealNumber: r["deal_number"], product: product, channel: channel, reason: r["reason"], quoted: Money(cents: r["quoted_cents"]),
            eligibleUntil: r.optionalLocalDate("eligible_until", of: "offer_links"),
            createdAt: r.instant("created_at", of: "offer_links"), expiresAt: r.instant("expires_at", of: "offer_links"),
            firstName: r["first_name"], lastName: r["last_name"], vehicleYear: r["year"], vehicleMake: r["make"],
            vehicleModel: r["model"], vinLast4: String(vin.suffix(4)),
            productBought: (r["outcome"] as String?) == "sold" || stops.contains(.purchased),
            dealUnwound: (r["status"] as String) == DealStatus.unwound.rawValue,
            optedOut: !consent || (r["contact_stopped_at"] as String?) != nil, stops: stops.filter { $0 != .purchased },
            salespersonID: r["salesperson_id"], fiManagerID: r["fi_manager_id"], openTaskID: r["open_task"])
    }

    /// Every offer link's id and when it was sent, oldest first (the demo's simulated visits).
    public func offerLinkTimes() async throws -> [(id: Int64, sentAt: Date)] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT id, created_at FROM offer_links ORDER BY id").compactMap { r in
                Instant.parse(r["created_at"]).map { (r["id"] as Int64, $0) }
            }
        }
    }

    /// Records a visit to a link's page: the only thing a GET writes (docs/offers.md).
    public func recordOfferOpened(linkID: Int64, now: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "INSERT INTO offer_events (link_id, kind, at) VALUES (?, 'opened', ?)", arguments: [linkID, Instant.iso8601(now)])
        }
    }

    /// Records a press in one transaction: the event, the task (unless the link has an open one) and the pause.
    public func pressOffer(_ press: OfferPress, now: Date) async throws -> OfferPressResult {
        let nowText = Instant.iso8601(now)
        return try await writer.write { db in
            guard
                let link = try Row.fetchOne(
                    db, sql: "SELECT deal_id, product_code FROM offer_links WHERE id = ?", arguments: [press.linkID])
            else { throw StoreError("no offer link \(press.linkID)") }
            var result = OfferPressResult(taskID: nil, taskCreated: false)
            if let t = press.task {
                if let open = try Int64.fetchOne(
                    db, sql: "SELECT id FROM tasks WHERE offer_link_id = ? AND status = 'open' ORDER BY id LIMIT 1",
                    arguments: [press.linkID])
                {
                    result.taskID = open
                } else {
                    try db.execute(
                        sql: """
                            INSERT INTO tasks (store_id, customer_id, touch_id, kind, title, detail, assignee_id, due_at, sla_at, status,
                                               created_at, offer_link_id)
                            VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, 'open', ?, ?)
                            """,
                        arguments: [
                            t.storeID, t.customerID, t.kind.rawValue, t.title, t.detail, t.assigneeID, Instant.iso8601(t.dueAt),
                            Instant.iso8601(t.slaAt),
                            nowText, press.linkID,
                        ])
                    result.taskID = db.lastInsertedRowID
                    result.taskCreated = true
                    try handOnFromInactive(db, tasks: [db.lastInsertedRowID])
                }
            }
            if let until = press.pauseUntil {
                try db.execute(
                    sql: """
                        INSERT INTO follow_up_pauses (deal_id, product_code, until, source, created_at) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (deal_id, product_code) DO UPDATE SET until = excluded.until, source = excluded.source,
                            created_at = excluded.created_at
                        """,
                    arguments: [
                        link["deal_id"] as Int64, link["product_code"] as String, until.description, "offer:\(press.linkID)", nowText,
                    ])
            }
            try db.execute(
                sql: "INSERT INTO offer_events (link_id, kind, at, task_id) VALUES (?, ?, ?, ?)",
                arguments: [press.linkID, press.kind.rawValue, nowText, result.taskID])
            return result
        }
    }

    /// The offer funnel of the declines a report covers: deals with a contract date in `from`…`to`, of `stores` when given.
    public func offerFunnel(from: LocalDate, to: LocalDate, stores: [String]?) async throws -> OfferFunnel {
        try await writer.read { db in
            let storeFilter =
                stores == nil ? "" : "AND d.store_id IN (SELECT id FROM stores WHERE code IN (SELECT value FROM json_each(?3)))"
            var args: [(any DatabaseValueConvertible)?] = [from.description, to.description]
            if let list = StoreList.json(stores) { args.append(list) }
            guard
                let r = try Row.fetchOne(
                    db,
                    sql: """
                        WITH links AS (
                            SELECT l.id, l.deal_id, l.product_code FROM offer_links l JOIN deals d ON d.id = l.deal_id
                            WHERE d.contract_date >= ?1 AND d.contract_date <= ?2 \(storeFilter)
                        ), kinds AS (
                            SELECT DISTINCT e.link_id, e.kind FROM offer_events e WHERE e.link_id IN (SELECT id FROM links)
                        )
                        SELECT (SELECT COUNT(*) FROM links) AS sent,
                               (SELECT COUNT(*) FROM (SELECT DISTINCT deal_id, product_code FROM links)) AS reached,
                               (SELECT COUNT(*) FROM kinds WHERE kind = 'opened') AS opened,
                               (SELECT COUNT(*) FROM kinds WHERE kind = 'interested') AS interested,
                               (SELECT COUNT(*) FROM kinds WHERE kind = 'call_me') AS call_me,
                               (SELECT COUNT(*) FROM kinds WHERE kind = 'not_now') AS not_now,
                               (SELECT COUNT(*) FROM kinds WHERE kind = 'new_link') AS new_link
                        """, arguments: StatementArguments(args))
            else { return OfferFunnel() }
            var f = OfferFunnel()
            f.linksSent = r["sent"]
            f.declinesReached = r["reached"]
            f.opened = r["opened"]
            f.interested = r["interested"]
            f.callMe = r["call_me"]
            f.notNow = r["not_now"]
            f.newLink = r["new_link"]
            return f
        }
    }
}
