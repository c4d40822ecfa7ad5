import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO

extension PostgresStorage {
    /// Applies one effect of a task's outcome (`TaskOutcome.effects`) in the caller's transaction.
    func apply(_ effect: TaskEffect, _ task: TaskEffectContext, _ conn: PostgresConnection) async throws {
        switch effect {
        case .recordSale(let item, let soldOn, let price, let cost, let note):
            try await recordSale(item, soldOn: soldOn, price: price, cost: cost, note: note, task, conn)
        case .stopFollowUp(let item, let kind):
            try await addFollowUpStop(conn, deal: item.deal, product: item.product, kind: kind, source: task.source, now: task.now)
        case .stopAllContact:
            try await conn.run(
                """
                UPDATE customers SET contact_stopped_at = \(task.now), contact_stopped_source = \(task.source), updated_at = \(task.now)
                WHERE id = \(task.customer)
                """, logger)
        case .withdrawConsent(let channels, let detail):
            let source = detail.map { task.source + " " + $0 } ?? task.source
            // Column names come from the enum, never from data.
            for c in channels {
                try await conn.run(
                    """
                    UPDATE customers SET consent_\(unescaped: c.rawValue) = false, consent_\(unescaped: c.rawValue)_source = \(source),
                        consent_\(unescaped: c.rawValue)_at = \(task.now), updated_at = \(task.now) WHERE id = \(task.customer)
                    """, logger)
            }
        case .cancelPending(let channels, let reason):
            try await cancelPending(conn, customers: [task.customer], actions: channels?.map(\.rawValue), reason: reason, now: task.now)
        case .recordStaffStop(let detail, let channels, let wholeCustomer):
            try await recordStaffStop(conn, task, detail: detail, channels: channels, wholeCustomer: wholeCustomer)
        }
    }

    /// Follow-up of a deal's product (or `*`, all of them) stops for good; once per kind.
    private func addFollowUpStop(
        _ conn: PostgresConnection, deal: Int64, product: String, kind: StopKind, source: String, now: Date
    ) async throws {
        try await conn.run(
            """
            INSERT INTO follow_up_stops (deal_id, product_code, kind, source, created_at)
            VALUES (\(deal), \(product), \(kind.rawValue), \(source), \(now)) ON CONFLICT DO NOTHING
            """, logger)
    }

    private func recordSale(
        _ item: TaskItem, soldOn: LocalDate, price: Money, cost: Money?, note: String?, _ task: TaskEffectContext,
        _ conn: PostgresConnection
    ) async throws {
        let soldBy = try await conn.one(
            String.self, "SELECT s.staff_code FROM tasks t JOIN staff s ON s.id = t.assignee_id WHERE t.id = \(task.task)", logger)
        let recorded = try await conn.one(
            Int.self,
            """
            INSERT INTO recoveries (deal_id, product_code, source, reference, sold_on, price_cents, cost_cents, sold_by, recorded_at)
            VALUES (\(item.deal), \(item.product), 'task', \(task.source), \(soldOn), \(price.cents), \(cost?.cents), \(soldBy), \(task.now))
            ON CONFLICT (deal_id, product_code, source) DO NOTHING RETURNING 1
            """, logger)
        if recorded == nil { throw StoreError.conflict("the sale of \(item.product) on this deal is already recorded by a task") }
        try await addFollowUpStop(conn, deal: item.deal, product: item.product, kind: .purchased, source: task.source, now: task.now)
        try await conn.run(
            """
            INSERT INTO events (deal_id, product_code, kind, occurred_on, recorded_at, price_cents, cost_cents, source, detail)
            VALUES (\(item.deal), \(item.product), 'recovered', \(soldOn), \(task.now), \(price.cents), \(cost?.cents), \(task.source), \(note))
            """, logger)
    }

    /// Staff's stop in the opt-out ledger, so no import turns the channels back on: under the customer's phone and
    /// email, and for "stop all contact" under the customer itself. Recorded by the user who closed the task, else the
    /// task's assignee.
    private func recordStaffStop(
        _ conn: PostgresConnection, _ task: TaskEffectContext, detail: String, channels: [ContactChannel], wholeCustomer: Bool
    ) async throws {
        var who: (phone: String?, email: String?, staff: String?)?
        for try await row in try await conn.statement(
            """
            SELECT c.phone, lower(c.email), (SELECT s.staff_code FROM tasks t JOIN staff s ON s.id = t.assignee_id
            WHERE t.id = \(task.task)) FROM customers c WHERE c.id = \(task.customer)
            """, logger: logger
        ).decode((String?, String?, String?).self) {
            who = row
        }
        var addresses: [(address: String, channel: ContactChannel)] = []
        for channel in channels {
            if wholeCustomer { addresses.append((ContactAddress.customer(task.customer), channel)) }
            if let address = channel == .email ? who?.email : who?.phone { addresses.append((address, channel)) }
        }
        for entry in addresses {
            let record = OptOutRecord(
                address: entry.address, channel: entry.channel, source: .staffOutcome, detail: detail, reference: "task \(task.task)",
                recordedBy: task.user ?? who?.staff ?? "staff", customerID: task.customer)
            try await appendOptOut(conn, record, now: task.now, unlessStopped: true)
        }
    }
}
