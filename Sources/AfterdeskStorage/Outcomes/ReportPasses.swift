import AfterdeskCore
import Foundation

extension ReportParameters {
    /// The parameters of reports one pass over the ledger serves, each with its reserve left due when none was given
    /// (settled after the pass from the histories read beside it); nil when they differ in more than their grouping
    /// (`by`: the same dates, store and rules) and each must be read alone. Empty for no reports.
    public static func onePass(_ given: [ReportParameters]) -> [ReportParameters]? {
        let ps = given.map { p in
            var q = p
            q.netToStore.defersReserve = q.netToStore.reserve == nil
            return q
        }
        guard let first = ps.first else { return [] }
        func scope(_ p: ReportParameters) -> ReportParameters {
            var s = p
            s.by = nil
            return s
        }
        return ps.allSatisfy({ scope($0) == scope(first) }) ? ps : nil
    }
}

extension ReportBuilder {
    /// Settles the reserves the pass left due, each builder's under its own menu's cancellation terms.
    public static func settleReserves(_ builders: inout [ReportBuilder], histories: [CancellationHistory]) {
        for j in builders.indices {
            builders[j].settleReserve(ReserveTable(histories: histories, terms: builders[j].parameters.netToStore.cancellation))
        }
    }

    /// The reports of one pass: each total with the declines of the imported files (`exported`, those of refused rows,
    /// added to its stored declines) and the offer funnel of the same dates.
    public static func finish(_ builders: [ReportBuilder], exported: Int?, offers: OfferFunnel) -> [MarginReport] {
        var reports = finish(builders)
        for i in reports.indices {
            reports[i].total.declinesInExports = exported.map { $0 + reports[i].total.declines }
            reports[i].offers = offers
        }
        return reports
    }
}

extension OutcomeStorage {
    /// The margin report (DESIGN.md, "Measuring honestly"; docs/reporting.md): the ledger's lines, summed in one pass.
    /// `now` decides which open tasks are overdue.
    public func marginReport(_ p: ReportParameters, now: Date) async throws -> MarginReport {
        guard let report = try await marginReports([p], now: now).first else { throw StoreError.integrity("no report") }
        return report
    }

    /// The reports of `given` read one by one, for reports one pass cannot serve (`ReportParameters.onePass`).
    public func marginReportsAlone(_ given: [ReportParameters], now: Date) async throws -> [MarginReport] {
        var reports: [MarginReport] = []
        for p in given { reports += try await marginReports([p], now: now) }
        return reports
    }

    /// `p` with its reserve table: the cancellation histories read once, made curves under the menu's terms.
    public func withReserve(_ p: ReportParameters) async throws -> ReportParameters {
        guard p.netToStore.reserve == nil else { return p }
        var q = p
        let histories = try await cancellationHistories(stores: p.storeScope, asOf: p.asOf)
        q.netToStore.reserve = ReserveTable(histories: histories, terms: p.netToStore.cancellation)
        return q
    }
}
