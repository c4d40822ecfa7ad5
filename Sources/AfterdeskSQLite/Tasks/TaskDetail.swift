import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {
    /// The task page's facts, or nil when there is no such task.
    public func taskDetail(id: Int64, now: Date) async throws -> TaskDetail? {
        guard let row = try await tasks(status: nil, taskID: id, now: now).first else { return nil }
        return try await writer.read { db in
            guard
                let t = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT s.code, s.time_zone, c.first_name, c.state, c.zip, t.touch_id, t.offer_link_id, t.customer_id,
                               c.consent_sms = 1 AND c.contact_stopped_at IS NULL
                               AND NOT EXISTS (SELECT 1 FROM opt_out_state o WHERE o.address = c.phone AND o.channel = 'sms' AND o.stopped)
                               AS may_sms FROM tasks t JOIN stores s ON s.id = t.store_id
                        JOIN customers c ON c.id = t.customer_id WHERE t.id = ?
                        """, arguments: [id])
            else { return nil }
            let items = try Row.fetchAll(
                db,
                sql: """
                    WITH i (deal_id, product_code, reason) AS (
                        SELECT deal_id, product_code, reason FROM touch_items WHERE touch_id = ?1
                        UNION ALL SELECT deal_id, product_code, 'the customer pressed a button on the offer page' FROM offer_links
                        WHERE id = ?2
                    )
                    SELECT d.deal_number, i.product_code, i.reason AS touch_reason, p.price_cents, p.reason, pl.basic_expires_on,
                           pl.basic_limit, pl.eligible_until, p.presumed, d.odometer, pl.miles_per_year, v.in_service_date,
                           d.contract_date, d.delivery_date
                    FROM i JOIN deals d ON d.id = i.deal_id JOIN vehicles v ON v.id = d.vehicle_id
                    LEFT JOIN deal_products p ON p.deal_id = i.deal_id AND p.product_code = i.product_code
                    LEFT JOIN plans pl ON pl.deal_id = i.deal_id AND pl.product_code = i.product_code
                    ORDER BY d.deal_number, i.product_code
                    """, arguments: [t["touch_id"] as Int64?, t["offer_link_id"] as Int64?]
            ).map { try Self.taskItem($0) }
            let customer: Int64 = t["customer_id"]
            let deal = try Row.fetchOne(
                db,
                sql: """
                    SELECT v.year, v.make, v.model, v.vin, d.term_months, d.apr_milli, d.first_payment_date FROM deals d
                    JOIN vehicles v ON v.id = d.vehicle_id
                    WHERE d.customer_id = ?1 AND ((?2 IS NULL AND ?3 IS NULL) OR d.id IN (SELECT deal_id FROM touch_items WHERE touch_id = ?2)
                        OR d.id = (SELECT deal_id FROM offer_links WHERE id = ?3))
                    ORDER BY d.contract_date DESC LIMIT 1
                    """, arguments: [customer, t["touch_id"] as Int64?, t["offer_link_id"] as Int64?])
            return try TaskDetail(
                task: row, store: t["code"], timeZone: t["time_zone"], firstName: t["first_name"], state: t["state"], zip: t["zip"],
                maySMS: t["may_sms"],
                vehicle: deal.map { "\($0["year"] as Int) \($0["make"] as String) \($0["model"] as String)" } ?? "",
                vin: deal?["vin"] ?? "", termMonths: deal?["term_months"], aprMilli: deal?["apr_milli"],
                firstPaymentDate: deal?.optionalLocalDate("first_payment_date", of: "deals"), items: items,
                history: try history(db, customer: customer))
        }
    }

    private static func taskItem(_ r: Row) throws -> TaskDetail.Item {
        var item = try TaskDetail.Item(
            dealNumber: r["deal_number"], product: r["product_code"], quotedCents: r["price_cents"], declineReason: r["reason"],
            touchReason: r["touch_reason"], basicExpiresOn: r.optionalLocalDate("basic_expires_on", of: "plans"),
            basicLimit: r["basic_limit"], eligibleUntil: r.optionalLocalDate("eligible_until", of: "plans"))
        item.presumed = (r["presumed"] as Bool?) ?? false
        item.odometer = r["odometer"]
        item.milesPerYear = r["miles_per_year"]
        item.inServiceDate = try r.localDate("in_service_date", of: "vehicles")
        item.contractDate = try r.localDate("contract_date", of: "deals")
        item.deliveryDate = try r.localDate("delivery_date", of: "deals")
        return item
    }

    /// The last 30 messages to and from a customer, oldest first.
    private func history(_ db: Database, customer: Int64) throws -> [TaskDetail.Message] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT * FROM (
                  SELECT COALESCE(sent_at, created_at) AS at, 0 AS inbound, channel, COALESCE(subject, body) AS text, status
                  FROM outbox WHERE customer_id = ? AND channel IN ('sms', 'email')
                  UNION ALL
                  SELECT received_at, 1, 'sms', body, COALESCE(keyword, 'reply') FROM inbound_messages WHERE customer_id = ?
                  ORDER BY at DESC LIMIT 30) ORDER BY at
                """, arguments: [customer, customer]
        ).map {
            try TaskDetail.Message(
                at: $0.instant("at", of: "outbox or inbound_messages"), inbound: $0["inbound"],
                channel: $0.stored("channel", of: "outbox or inbound_messages"), text: $0["text"],
                status: $0["status"])
        }
    }
}
