import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import PostgresNIO

extension PostgresStorage {
    /// Imports cancellations and chargebacks (`afterdesk import-cancellations`): of an after-sale contract (by its
    /// number), or of a product sold on a deal (by store, deal number and product: sold at the desk, or recovered by a
    /// later deal import or a task). One cancellation per contract or deal product; importing it again changes nothing,
    /// a changed one is updated.
    /// `allowedStores`, when set, refuses every row of another store (the import of a store-limited user).
    public func importCancellations(file: String, menu: Menu, writeRejectsFile: Bool, allowedStores: Set<String>?) async throws
        -> AfterSaleSummary
    {
        let (logger, clock) = (logger, clock)
        return try await importAfterSaleFile(
            file, profile: "cancellations", columns: AfterSaleLayout.cancellations, required: AfterSaleLayout.cancellationsRequired,
            writeRejectsFile: writeRejectsFile
        ) { row, conn, stores, run in
            let today = LocalDate(clock.now(), in: menu.dealership.zone)
            let lookup = AfterSaleLookup(conn: conn, logger: logger)
            guard let c = try await lookup.cancellation(&row, stores: stores, menu: menu, today: today, allowedStores: allowedStores)
            else { return nil }
            return try await lookup.store(c, run: run, now: clock.now().wholeSecond)
        }
    }
}

extension AfterSaleLookup {
    func cancellation(_ row: inout AfterSaleRow, stores: AfterSaleStores, menu: Menu, today: LocalDate, allowedStores: Set<String>?)
        async throws -> AfterSaleCancellation?
    {
        let store = try stores.of(&row, allowed: allowedStores)
        let cancelDate = row.date("cancel_date", today: today)
        let refund = row.money("customer_refund", required: false)
        let chargeback = row.money("chargeback", required: true)
        guard let store, let target = try await cancelled(&row, store: store.id, menu: menu) else { return nil }
        if let cancelDate, cancelDate < target.soldOn { row.fail("cancel_date", "before the sale on \(target.soldOn)") }
        guard row.errors.isEmpty, let cancelDate, let refund, let chargeback = chargeback ?? nil else { return nil }
        return AfterSaleCancellation(
            store: store.id, target: target.key, contract: target.contract, deal: target.deal, product: target.product,
            cancelDate: cancelDate, refund: refund, chargeback: chargeback, reason: row.text("reason"))
    }

    /// What the row cancels: the contract it names, or the product sold on the deal it names.
    private func cancelled(_ row: inout AfterSaleRow, store: Int64, menu: Menu) async throws
        -> (key: String, contract: Int64?, deal: Int64, product: String, soldOn: LocalDate)?
    {
        if let number = row.text("contract_number") {
            guard
                let c = try await conn.rows(
                    """
                    SELECT id, deal_id, product_code, sale_date FROM contracts WHERE store_id = \(store) AND contract_number = \(number)
                    """, logger
                ).first.map({ try $0.decode((Int64, Int64, String, LocalDate).self) })
            else {
                row.fail("contract_number", "no after-sale contract with this number in the store (import it first)")
                return nil
            }
            return ("contract:\(number)", c.0, c.1, c.2, c.3)
        }
        guard let number = row.text("deal_number") else {
            row.fail("contract_number", "a contract number, or a deal number and a product, is required")
            return nil
        }
        guard let product = row.product(menu: menu) else { return nil }
        guard
            let d = try await conn.rows(
                """
                SELECT d.id, d.contract_date, p.outcome,
                    (SELECT MIN(r.sold_on) FROM recoveries r WHERE r.deal_id = d.id AND r.product_code = \(product)) AS recovered_on
                FROM deals d LEFT JOIN deal_products p ON p.deal_id = d.id AND p.product_code = \(product)
                WHERE d.store_id = \(store) AND d.deal_number = \(number)
                """, logger
            ).first.map({ try $0.decode((Int64, LocalDate, String?, LocalDate?).self) })
        else {
            row.fail("deal_number", "no deal with this number in the store")
            return nil
        }
        let soldOn = d.2 == "sold" && d.3 == nil ? d.1 : d.3
        guard let soldOn else {
            row.fail("product", "not sold on this deal, at the desk or after")
            return nil
        }
        return ("deal:\(number):\(product)", nil, d.0, product, soldOn)
    }

    func store(_ c: AfterSaleCancellation, run: Int64, now: Date) async throws -> AfterSaleChange {
        let fp = c.fingerprint
        let old = try await conn.rows(
            "SELECT id, fingerprint FROM cancellations WHERE store_id = \(c.store) AND target = \(c.target) FOR UPDATE", logger
        ).first.map { try $0.decode((Int64, Int64).self) }
        if let old, old.1 == fp { return .unchanged }
        if let old {
            try await conn.run(
                """
                UPDATE cancellations SET contract_id = \(c.contract), deal_id = \(c.deal), product_code = \(c.product),
                    cancel_date = \(c.cancelDate), customer_refund_cents = \(c.refund?.cents), chargeback_cents = \(c.chargeback.cents),
                    reason = \(c.reason), fingerprint = \(fp), import_run_id = \(run), updated_at = \(now) WHERE id = \(old.0)
                """, logger)
            return .updated
        }
        try await conn.run(
            """
            INSERT INTO cancellations (contract_id, deal_id, product_code, cancel_date, customer_refund_cents, chargeback_cents, reason,
                fingerprint, import_run_id, updated_at, store_id, target, created_at)
            VALUES (\(c.contract), \(c.deal), \(c.product), \(c.cancelDate), \(c.refund?.cents), \(c.chargeback.cents), \(c.reason),
                \(fp), \(run), \(now), \(c.store), \(c.target), \(now))
            """, logger)
        return .inserted
    }
}
