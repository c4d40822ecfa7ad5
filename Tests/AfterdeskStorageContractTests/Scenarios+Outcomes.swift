import AfterdeskCore
import AfterdeskStorage
import Foundation
import Testing

/// The report over the canonical fixture's deals (June 2026), as of the fixture's day.
func reportParameters(asOf: String = "2026-11-23") -> ReportParameters {
    var p = ReportParameters(
        asOf: LocalDate(asOf)!, from: LocalDate("2026-01-01")!, to: LocalDate(asOf)!, attributionDays: 365, holdoutPercent: 10)
    p.resamples = 50
    return p
}

func ledger(_ s: any Storage, _ p: ReportParameters, now: Date) async throws -> [LedgerRow] {
    let rows = LockedRows()
    try await s.forEachLedgerRow(p, now: now) { rows.append($0) }
    return rows.all
}

final class LockedRows: @unchecked Sendable {
    private let lock = NSLock()
    private var rows: [LedgerRow] = []
    func append(_ r: LedgerRow) { lock.withLock { rows.append(r) } }
    var all: [LedgerRow] { lock.withLock { rows } }
}

/// What happened after the desk, and the ledger the margin report sums.
extension Scenarios {
    static let outcomesArea: [(name: String, run: Scenario)] = [
        ("outcomes: contracts and cancellations land once and net the ledger from their date", contractsAndCancellations),
        ("outcomes: the ledger lists every decline in a stable order and the report sums it", ledgerAndReport),
        ("outcomes: a report over two stores compares the arms within each", reportOverTwoStores),
        ("outcomes: the cancellation history counts contracts and desk sales by months since the sale", cancellationHistory),
    ]

    @Sendable static func contractsAndCancellations(_ s: any Storage, _ f: Fixture) async throws {
        _ = try await s.importDeals(files: [try f.copy("canonical-good-and-bad.csv")], options: f.importOptions())
        let contracts = try f.write(
            "contracts.csv",
            "contract_number,store,deal_number,product,sale_date,price,cost\nAS-2,main,D-10001,gap,2026-08-15,$895.00,300\nAS-3,main,D-99999,gap,2026-08-15,1,1\n"
        )
        let c = try await s.importContracts(
            file: contracts, menu: f.menu, planner: f.planner, now: f.now, writeRejectsFile: false, allowedStores: nil)
        #expect(c.inserted == 1 && c.rejected == 1 && c.rejects.first?.line == 3)
        let cancellations = try f.write(
            "cancellations.csv", "contract_number,cancel_date,customer_refund,chargeback,reason\nAS-2,2026-09-10,626.50,357.00,paid off\n")
        let k = try await s.importCancellations(file: cancellations, menu: f.menu, writeRejectsFile: false, allowedStores: nil)
        #expect(k.inserted == 1 && k.rejected == 0)
        // Before the cancellation: $595 gross, nothing charged back; from it, $595 − $357.
        let early = try #require(
            try await ledger(s, reportParameters(asOf: "2026-09-09"), now: f.now).first {
                $0.dealNumber == "D-10001" && $0.product == "gap"
            })
        #expect(
            early.recoverySource == .contract && early.contractNumber == "AS-2" && early.marginGrossCents == 59_500
                && early.chargebacksCents == 0)
        let late = try #require(
            try await ledger(s, reportParameters(), now: f.now).first { $0.dealNumber == "D-10001" && $0.product == "gap" })
        #expect(late.chargebacksCents == 35_700 && late.marginNetCents == 23_800)
        // The ledger carries the cancellation's date, and the books view puts the chargeback in September, the sale in August.
        #expect(late.chargedBack == [LedgerRow.Chargeback(on: LocalDate("2026-09-10")!, cents: 35_700)])
        var books = reportParameters()
        books.by = .saleMonth
        let months = try await s.marginReport(books, now: f.now).books
        #expect(months.first { $0.key == "2026-09" }.map { $0.both.chargebacksCents == 35_700 && $0.both.recovered == 0 } == true)
        #expect(months.first { $0.key == "2026-08" }.map { $0.both.grossCents >= 59_500 && $0.both.chargebacksCents == 0 } == true)
        // Again: nothing changes.
        #expect(
            try await s.importContracts(
                file: contracts, menu: f.menu, planner: f.planner, now: f.now, writeRejectsFile: false, allowedStores: nil
            ).unchanged == 1)
        #expect(
            try await s.importCancellations(file: cancellations, menu: f.menu, writeRejectsFile: false, allowedStores: nil).unchanged == 1)
        // A store the importer may not touch is refused.
        let other = try await s.importContracts(
            file: contracts, menu: f.menu, planner: nil, now: f.now, writeRejectsFile: false, allowedStores: ["north"])
        #expect(other.inserted == 0 && other.updated == 0 && other.unchanged == 0)
        let recent = try await s.recentRecoveries(stores: nil, asOf: LocalDate("2026-11-23")!, limit: 15)
        #expect(recent.contains { $0.dealNumber == "D-10001" && $0.product == "gap" && $0.priceCents == 89_500 })
        #expect(try await s.recentRecoveries(stores: ["main"], asOf: LocalDate("2026-11-23")!, limit: 0).isEmpty)
    }

    @Sendable static func ledgerAndReport(_ s: any Storage, _ f: Fixture) async throws {
        _ = try await s.importDeals(files: [try f.copy("canonical-good-and-bad.csv")], options: f.importOptions())
        _ = try await s.importDeals(files: [try f.copy("canonical-update.csv")], options: f.importOptions())
        let p = reportParameters()
        let rows = try await ledger(s, p, now: f.now)
        #expect(!rows.isEmpty)
        #expect(try await ledger(s, p, now: f.now) == rows)
        // Each deal's rows together, its products in order.
        var seen: [String] = []
        for r in rows where seen.last != r.dealNumber {
            #expect(!seen.contains(r.dealNumber), "deal \(r.dealNumber) is split in the ledger")
            seen.append(r.dealNumber)
        }
        for deal in seen {
            let products = rows.filter { $0.dealNumber == deal }.map(\.product)
            #expect(products == products.sorted())
        }
        // D-10001's VSC, declined at the desk and sold on the next export: one recovery.
        #expect(rows.filter(\.recovered).map { "\($0.dealNumber):\($0.product)" } == ["D-10001:vsc"])
        let report = try await s.marginReport(p, now: f.now)
        #expect(report.total.treated.declines + report.total.holdout.declines == rows.count)
        #expect(report.total.treated.recovered + report.total.holdout.recovered == 1)
        var byProduct = p
        byProduct.by = .product
        let both = try await s.marginReports([p, byProduct], now: f.now)
        #expect(both.count == 2 && both[0].total == report.total && !both[1].groups.isEmpty)
    }

    @Sendable static func cancellationHistory(_ s: any Storage, _ f: Fixture) async throws {
        _ = try await s.importDeals(files: [try f.copy("canonical-good-and-bad.csv")], options: f.importOptions())
        let contracts = try f.write(
            "contracts.csv",
            "contract_number,store,deal_number,product,sale_date,price,cost\nAS-2,main,D-10001,gap,2026-08-15,$895.00,300\n")
        _ = try await s.importContracts(
            file: contracts, menu: f.menu, planner: nil, now: f.now, writeRejectsFile: false, allowedStores: nil)
        let cancellations = try f.write(
            "cancellations.csv", "contract_number,cancel_date,customer_refund,chargeback,reason\nAS-2,2026-09-10,626.50,357.00,paid off\n")
        _ = try await s.importCancellations(file: cancellations, menu: f.menu, writeRejectsFile: false, allowedStores: nil)
        func history(_ asOf: String, _ product: String, store: String? = nil) async throws -> CancellationHistory? {
            try await s.cancellationHistories(stores: store.map { [$0] }, asOf: LocalDate(asOf)!).first {
                $0.store == "main" && $0.product == product
            }
        }
        // Before the cancellation, AS-2 (Aug 15) is in force after 0 whole months on Sep 9; from Sep 10 it is a cancellation
        // in month 1 (0 whole months after the sale, + 1).
        let before = try #require(try await history("2026-09-09", "gap"))
        #expect(before.inForceAfterMonths[0] == 1 && before.cancelledInMonth.isEmpty)
        let after = try #require(try await history("2026-11-23", "gap", store: "main"))
        #expect(after.cancelledInMonth == [1: 1] && after.inForceAfterMonths[0] == nil)
        // D-10001's tire & wheel, sold at the desk on Jun 1: in force after 5 whole months on Nov 23.
        let tires = try #require(try await history("2026-11-23", "tire_wheel"))
        #expect((tires.inForceAfterMonths[5] ?? 0) >= 1 && tires.cancelledInMonth.isEmpty)
        // Nothing sold yet on May 31.
        #expect(try await history("2026-05-31", "tire_wheel") == nil)
    }
}
