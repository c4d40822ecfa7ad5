import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows
import ArgumentParser
import Foundation

struct Explain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Why each declined product of a deal is timed as it is: warranty and loan projections, window, touches.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var planning: PlanningOptions
    @Option(help: "Store, when several stores use the deal number.") var store: String?
    @Flag(help: "Print JSON.") var json = false
    @Argument(help: "Deal number.") var dealNumber: String

    func run() async throws {
        let at = try planning.instant()
        let db = try await database.open()
        let planner = try await planning.planner(db)
        let found: CustomerDeals?
        found = try await db.customerDeals(ofDeal: dealNumber, store: store)
        guard let found, var explanation = AfterdeskCore.Explain.explain(found, planner: planner, now: at) else {
            printError("No deal \(dealNumber)\(store.map { " in store \($0)" } ?? "").")
            throw ExitCode(1)
        }
        explanation.optOuts = try await db.optOutStatus(dealNumber: dealNumber, store: found.store)
        if json {
            print(try jsonString(explanation))
            return
        }
        print(ExplainText.render(explanation))
    }
}

enum ExplainText {
    /// "factory warranty: basic ends …", or for a certified car whose program's coverage ends later, "warranty: basic
    /// ends 2026-06-01 (time limit, certified from sale) …".
    static func warrantyLine(_ w: DealExplanation.Warranty) -> String {
        func whose(_ e: DealExplanation.Expiry) -> String {
            guard let c = e.coverage, c != "factory" else { return "" }
            return ", " + c.replacingOccurrences(of: "_", with: " ")
        }
        let factory = whose(w.basic).isEmpty && whose(w.powertrain).isEmpty
        return "  \(factory ? "factory " : "")warranty: basic ends \(w.basic.expiresOn) (\(w.basic.limit) limit\(whose(w.basic))), "
            + "powertrain \(w.powertrain.expiresOn) (\(w.powertrain.limit)\(whose(w.powertrain))); \(w.milesPerYear.grouped) miles a year"
            + (w.milesPerYearIsDefault ? " (the default for a vehicle with one reading)" : " (from odometer readings)") + "\n"
    }

    static func render(_ e: DealExplanation) -> String {
        var out = "Deal \(e.dealNumber), planned as of \(e.plannedAt)\n"
        // What the opt-out ledger says of the customer: "SMS stopped on 2026-12-04 by the customer (STOP)".
        for o in e.optOuts ?? [] { out += "\(o.sentence)\n" }
        for p in e.products {
            out += "\n\(p.code): \(p.outcome)\(p.holdout ? p.heldOutUntil.map { " (held out until \($0))" } ?? " (holdout)" : "")"
            if let note = p.note { out += " — \(note)" }
            out += "\n"
            if let w = p.warranty { out += warrantyLine(w) }
            if let ends = p.freeMaintenanceEnds { out += "  free maintenance projected to end \(ends)\n" }
            if let g = p.gap {
                out += "  loan-to-value at contract \(g.ltvAtContract); balance above value until \(g.exposureEndsOn ?? "never above")\n"
            }
            if let until = p.eligibleUntil { out += "  can be bought until \(until) (\(p.eligibilityRule ?? ""))\n" }
            for c in p.planClasses ?? [] { out += "  class \(c.planClass): \(c.description)\n" }
            for t in p.touches {
                out += "  \(t.dueAt)  \(t.action.padding(toLength: 5, withPad: " ", startingAt: 0)) \(t.template): \(t.reason)"
                if !t.with.isEmpty { out += " [with \(t.with.joined(separator: ", "))]" }
                out += "\n"
            }
            for d in p.dropped { out += "  not planned (\(d.dueAt)) \(d.template): \(d.status)\n" }
        }
        return out.hasSuffix("\n") ? String(out.dropLast()) : out
    }
}
