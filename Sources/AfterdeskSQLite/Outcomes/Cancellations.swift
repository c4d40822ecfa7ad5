import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {
    /// Imports cancellations and chargebacks (`afterdesk import-cancellations`): of an after-sale contract (by its
    /// number), or of a product sold on a deal (by store, deal number and product: sold at the desk, or recovered by a
    /// later deal import or a task). One cancellation per contract or deal product; importing it again changes nothing,
    /// a changed one is updated.
    /// `allowedStores`, when set, refuses every row of another store (the import of a store-limited user).
    public func importCancellations(file: String, menu: Menu, writeRejectsFile: Bool = true, allowedStores: Set<String>? = nil)
        async throws -> AfterSaleSummary
    {
        try await onOwnThread {
            try self.importCancellationsOnThisThread(
                file: file, menu: menu, writeRejectsFile: writeRejectsFile, allowedStores: allowedStores)
        }
    }

    func importCancellationsOnThisThread(file: String, menu: Menu, writeRejectsFile: Bool, allowedStores: Set<String>?) throws
        -> AfterSaleSummary
    {
        return try importAfterSaleFile(
            file, profile: "cancellations", columns: AfterSaleLayout.cancellations, required: AfterSaleLayout.cancellationsRequired,
            writeRejectsFile: writeRejectsFile
        ) {
            row, db, run in
            let today = LocalDate(clock.now(), in: menu.dealership.zone)
            guard let c = try Self.cancellation(&row, db, menu: menu, today: today, allowedStores: allowedStores) else {
                return nil
            }
            return try Self.store(c, db, run: run, now: Instant.iso8601(clock.now()))
        }
    }

    static func cancellation(_ row: inout AfterSaleRow, _ db: Database, menu: Menu, today: LocalDate, allowedStores: Set<String>?)
        throws -> AfterSaleCancellation?
    {
        let store = try afterSaleStore(&row, db, allowed: allowedStores)
        let cancelDate = row.date("cancel_date", today: today)
        let refund = row.money("customer_refund", required: false)
        let chargeback = row.money("chargeback", required: true)
        guard let store, let target = try cancelled(&row, db, store: store.id, menu: menu) else { return nil }
        if let cancelDate, cancelDate < target.soldOn { row.fail("cancel_date", "before the sale on \(target.soldOn)") }
        guard row.errors.isEmpty, let cancelDate, let refund, let chargeback = chargeback ?? nil else { return nil }
        return AfterSaleCancellation(
            store: store.id, target: target.key, contract: target.contract, deal: target.deal, product: target.product,
            cancelDate: cancelDate, refund: refund, chargeback: chargeback, reason: row.text("reason"))
    }

    /// What the row cancels: the contract it names, or the product sold on the deal it names.
    private static func cancelled(_ row: inout AfterSaleRow, _ db: Database, store: Int64, menu: Menu) throws
        -> (key: String, contract: Int64?, deal: Int64, product: String, soldOn: LocalDate)?
    {
        if let number = row.text("contract_number") {
            guard
                let c = try Row.fetchOne(
                    db, sql: "SELECT id, deal_id, product_code, sale_date FROM contracts WHERE store_id = ? AND contract_number = ?",
                    arguments: [store, number])
            else {
                row.fail("contract_number", "no after-sale contract with this number in the store (import it first)")
                return nil
            }
            return ("contract:\(number)", c["id"], c["deal_id"], c["product_code"], LocalDate(c["sale_date"] as String) ?? .first)
        }
        guard let number = row.text("deal_number") else {
            row.fail("contract_number", "a contract number, or a deal number and a product, is required")
            return nil
        }
        guard let product = row.product(menu: menu) else { return nil }
        guard
            let d = try Row.fetchOne(
                db,
                sql: """
                    SELECT d.id, d.contract_date, p.outcome, (SELECT MIN(r.sold_on) FROM recoveries r WHERE r.deal_id = d.id AND r.product_code = ?) AS recovered_on
                    FROM deals d LEFT JOIN deal_products p ON p.deal_id = d.id AND p.product_code = ?
                    WHERE d.store_id = ? AND d.deal_number = ?
                    """, arguments: [product, product, store, number])
        else {
            row.fail("deal_number", "no deal with this number in the store")
            return nil
        }
        let soldOn: LocalDate?
        if (d["outcome"] as String?) == "sold" && (d["recovered_on"] as String?) == nil {
            soldOn = LocalDate(d["contract_date"] as String)
        } else {
            soldOn = (d["recovered_on"] as String?).flatMap(LocalDate.init)
        }
        guard let soldOn else {
            row.fail("product", "not sold on this deal, at the desk or after")
            return nil
        }
        return ("deal:\(number):\(product)", nil, d["id"], product, soldOn)
    }

    static func store(_ c: AfterSaleCancellation, _ db: Database, run: Int64, now: String) throws -> AfterSaleChange {
        let fp = c.fingerprint
        let old = try Row.fetchOne(
            db, sql: "SELECT id, fingerprint FROM cancellations WHERE store_id = ? AND target = ?", arguments: [c.store, c.target])
        if let old, (old["fingerprint"] as Int64) == fp { return .unchanged }
        let values: [any DatabaseValueConvertible] = [
            c.contract, c.deal, c.product, c.cancelDate.description, c.refund?.cents, c.chargeback.cents, c.reason, fp, run, now,
        ]
        if let old {
            try db.execute(
                sql: """
                    UPDATE cancellations SET contract_id = ?, deal_id = ?, product_code = ?, cancel_date = ?, customer_refund_cents = ?,
                        chargeback_cents = ?, reason = ?, fingerprint = ?, import_run_id = ?, updated_at = ? WHERE id = ?
                    """, arguments: StatementArguments(values + [old["id"] as Int64]))
            return .updated
        }
        try db.execute(
            sql: """
                INSERT INTO cancellations (contract_id, deal_id, product_code, cancel_date, customer_refund_cents, chargeback_cents, reason,
                    fingerprint, import_run_id, updated_at, store_id, target, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: StatementArguments(values + [c.store, c.target, now]))
        return .inserted
    }
}
