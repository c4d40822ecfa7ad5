import AfterdeskCore
import Foundation
import GRDB

/// Where the ledger's read splits in two (`readInHalves`) so that both halves take about as long: the deal id below
/// which about half the work lies, estimated from evenly spaced samples of the deals and of the touches. The middle id
/// is no good when the work is not spread evenly over the ids: a store's recent deals have more touches delivered (or
/// its older ones, once the follow-up has run), and the deals before the report's window are read but not added.
enum LedgerSplit {
    /// Samples of each table: a few milliseconds of look-ups.
    static let samples = 400
    /// The relative cost of a row, measured on the benchmark (docs/reporting.md): a decline in the window about 1 µs, a
    /// product read and passed over 0.3 µs, a delivered touch's item (a range of its index, a line of its own) 1.4 µs.
    static let declineCost = 1.0
    static let productCost = 0.3
    static let touchCost = 1.4
    static let afterSaleCost = 1.2

    /// The id that splits the deals of `low…high` into two halves of about equal work for a report of `p` (whose first
    /// half also reads the rest of the cancellation histories when `histories`); nil when the samples find nothing (the
    /// middle id then).
    static func middle(_ db: Database, _ p: ReportParameters, low: Int64, high: Int64, histories: Bool) throws -> Int64? {
        guard high > low else { return nil }
        var weights: [(deal: Int64, work: Double)] = []
        let deal = try db.makeStatement(sql: "SELECT id, status, contract_date FROM deals WHERE id >= ? ORDER BY id LIMIT 1")
        let products = try db.makeStatement(
            sql: "SELECT COUNT(*), COALESCE(SUM(outcome = 'declined'), 0) FROM deal_products WHERE deal_id = ?")
        let span = Double(high - low)
        let perDeal = span / Double(samples)
        for k in 0..<samples {
            let at = low + Int64(span * Double(k) / Double(samples))
            guard let row = try Row.fetchOne(deal, arguments: [at]) else { continue }
            let id: Int64 = row[0]
            let date = (row[2] as String?).flatMap(LocalDate.init)
            let inWindow = (row[1] as String?) == "finalized" && date.map { $0 >= p.from && $0 <= p.to && $0 <= p.asOf } == true
            guard let counts = try Row.fetchOne(products, arguments: [id]) else { continue }
            let (all, declined): (Int, Int) = (counts[0], counts[1])
            let work = inWindow ? Double(declined) * declineCost + Double(all - declined) * productCost : Double(all) * productCost
            weights.append((id, work * perDeal))
        }
        try addTouches(db, to: &weights)
        let total = weights.reduce(0) { $0 + $1.work }
        guard total > 0 else { return nil }
        // The first half also reads the rest of the cancellation histories after its pass (a contract or a cancellation
        // about 1.2 µs): it takes that much less of the ledger.
        let rows = histories ? try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM contracts") ?? 0 : 0
        let cancelled = histories ? try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM cancellations") ?? 0 : 0
        let firstHalf = max(total - (Double(rows) + Double(cancelled)) * afterSaleCost, 0) / 2
        weights.sort { $0.deal < $1.deal }
        var sum = 0.0
        for w in weights {
            sum += w.work
            if sum >= firstHalf { return min(max(w.deal, low), high - 1) }
        }
        return nil
    }

    /// The delivered touches' items, sampled evenly over the touch ids, each weighed for the touches it stands for.
    static func addTouches(_ db: Database, to weights: inout [(deal: Int64, work: Double)]) throws {
        guard let low = try Int64.fetchOne(db, sql: "SELECT MIN(id) FROM touches"),
            let high = try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM touches"), high >= low
        else { return }
        let touch = try db.makeStatement(sql: "SELECT id, sent_at IS NOT NULL FROM touches WHERE id >= ? ORDER BY id LIMIT 1")
        let items = try db.makeStatement(sql: "SELECT deal_id FROM touch_items WHERE touch_id = ?")
        let span = Double(high - low)
        let perTouch = max(span, 1) / Double(samples)
        for k in 0..<samples {
            let at = low + Int64(span * Double(k) / Double(samples))
            guard let row = try Row.fetchOne(touch, arguments: [at]), row[1] as Bool else { continue }
            for d in try Int64.fetchAll(items, arguments: [row[0] as Int64]) { weights.append((d, touchCost * perTouch)) }
        }
    }
}
