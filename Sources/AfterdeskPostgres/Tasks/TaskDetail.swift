import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO

extension PostgresStorage {
    /// The task page's facts, or nil when there is no such task.
    public func taskDetail(id: Int64, now: Date) async throws -> TaskDetail? {
        try await read { conn in
            guard let row = try await taskRows(conn, TaskQuery(status: nil, taskID: id), now: now).first else { return nil }
            var found:
                (
                    store: String, zone: String, firstName: String, state: String?, zip: String?, touch: Int64?, link: Int64?,
                    customer: Int64, maySMS: Bool
                )?
            for try await t in try await conn.statement(
                """
                SELECT s.code, s.time_zone, c.first_name, c.state, c.zip, t.touch_id, t.offer_link_id, t.customer_id,
                       c.consent_sms AND c.contact_stopped_at IS NULL
                       AND NOT EXISTS (SELECT 1 FROM opt_out_state o WHERE o.address = c.phone AND o.channel = 'sms' AND o.stopped)
                FROM tasks t JOIN stores s ON s.id = t.store_id JOIN customers c ON c.id = t.customer_id WHERE t.id = \(id)
                """, logger: logger
            ).decode((String, String, String, String?, String?, Int64?, Int64?, Int64, Bool).self) {
                found = t
            }
            guard let t = found else { return nil }
            let items = try await taskItems(conn, touch: t.touch, link: t.link)
            var deal: (year: Int, make: String, model: String, vin: String, term: Int?, apr: Int?, firstPayment: LocalDate?)?
            for try await d in try await conn.statement(
                """
                SELECT v.year, v.make, v.model, v.vin, d.term_months, d.apr_milli, d.first_payment_date FROM deals d
                JOIN vehicles v ON v.id = d.vehicle_id
                WHERE d.customer_id = \(t.customer) AND ((\(t.touch)::int8 IS NULL AND \(t.link)::int8 IS NULL)
                    OR d.id IN (SELECT deal_id FROM touch_items WHERE touch_id = \(t.touch)::int8)
                    OR d.id = (SELECT deal_id FROM offer_links WHERE id = \(t.link)::int8))
                ORDER BY d.contract_date DESC LIMIT 1
                """, logger: logger
            ).decode((Int, String, String, String, Int?, Int?, LocalDate?).self) {
                deal = d
            }
            return TaskDetail(
                task: row, store: t.store, timeZone: t.zone, firstName: t.firstName, state: t.state, zip: t.zip, maySMS: t.maySMS,
                vehicle: deal.map { "\($0.year) \($0.make) \($0.model)" } ?? "", vin: deal?.vin ?? "", termMonths: deal?.term,
                aprMilli: deal?.apr, firstPaymentDate: deal?.firstPayment, items: items,
                history: try await taskHistory(conn, customer: t.customer))
        }
    }

    /// The products a task is about (its touch's items, or its offer link's product) with the desk's facts of each.
    private func taskItems(_ conn: PostgresConnection, touch: Int64?, link: Int64?) async throws -> [TaskDetail.Item] {
        var items: [TaskDetail.Item] = []
        for try await r in try await conn.statement(
            """
            WITH i (deal_id, product_code, reason) AS (
                SELECT deal_id, product_code, reason FROM touch_items WHERE touch_id = \(touch)::int8
                UNION ALL SELECT deal_id, product_code, 'the customer pressed a button on the offer page' FROM offer_links
                WHERE id = \(link)::int8
            )
            SELECT d.deal_number, i.product_code, i.reason, p.price_cents, p.reason, pl.basic_expires_on, pl.basic_limit,
                   pl.eligible_until, p.presumed, d.odometer, pl.miles_per_year, v.in_service_date, d.contract_date, d.delivery_date
            FROM i JOIN deals d ON d.id = i.deal_id JOIN vehicles v ON v.id = d.vehicle_id
            LEFT JOIN deal_products p ON p.deal_id = i.deal_id AND p.product_code = i.product_code
            LEFT JOIN plans pl ON pl.deal_id = i.deal_id AND pl.product_code = i.product_code
            ORDER BY d.deal_number, i.product_code
            """, logger: logger
        ).decode(
            (
                String, String, String, Int64?, String?, LocalDate?, String?, LocalDate?, Bool?, Int, Int?, LocalDate, LocalDate,
                LocalDate
            ).self)
        {
            var item = TaskDetail.Item(
                dealNumber: r.0, product: r.1, quotedCents: r.3, declineReason: r.4, touchReason: r.2, basicExpiresOn: r.5,
                basicLimit: r.6, eligibleUntil: r.7)
            item.presumed = r.8 ?? false
            item.odometer = r.9
            item.milesPerYear = r.10
            item.inServiceDate = r.11
            item.contractDate = r.12
            item.deliveryDate = r.13
            items.append(item)
        }
        return items
    }

    /// The last 30 messages to and from a customer, oldest first.
    private func taskHistory(_ conn: PostgresConnection, customer: Int64) async throws -> [TaskDetail.Message] {
        var out: [TaskDetail.Message] = []
        for try await (at, inbound, channel, text, status) in try await conn.statement(
            """
            SELECT at, inbound, channel, text, status FROM (
              SELECT COALESCE(sent_at, created_at) AS at, false AS inbound, channel, COALESCE(subject, body) AS text, status
              FROM outbox WHERE customer_id = \(customer) AND channel IN ('sms', 'email')
              UNION ALL
              SELECT received_at, true, 'sms', body, COALESCE(keyword, 'reply') FROM inbound_messages WHERE customer_id = \(customer)
              ORDER BY at DESC LIMIT 30) h ORDER BY at
            """, logger: logger
        ).decode((Date, Bool, String, String, String).self) {
            out.append(
                TaskDetail.Message(
                    at: at, inbound: inbound, channel: try TaskStoredText.value(channel, of: "outbox or inbound_messages", "channel"),
                    text: text, status: status))
        }
        return out
    }
}
