import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows
import ArgumentParser
import Foundation

struct Plan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Plan the follow-up of declined products (all customers, or one deal's customer) and list the planned touches.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var planning: PlanningOptions
    @Option(help: "Only the customer of this deal.") var deal: String?
    @Option(help: "The deal's store, when several stores use the deal number.") var store: String?
    @Option(help: "List at most this many touches.") var limit: Int = 50
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let at = try planning.instant()
        let db = try await database.open()
        let planner = try await planning.planner(db)
        var customers: [Int64]?
        if let deal {
            let found: [Int64]
            found = try await db.customerIDs(ofDeals: [deal], store: store)
            if found.isEmpty {
                printError("No deal \(deal)\(store.map { " in store \($0)" } ?? "").")
                throw ExitCode(1)
            }
            customers = found
        }
        let summary = try await db.planCustomers(planner: planner, now: at, customerIDs: customers)
        let touches = try await db.plannedTouches(dealNumber: deal, store: store, limit: limit)
        if json {
            struct Output: Encodable {
                let summary: PlanSummary
                let touches: [PlannedTouchRow]
            }
            print(try jsonString(Output(summary: summary, touches: touches)))
            return
        }
        print(
            "Planned \(summary.customers.grouped) customers, \(summary.declines.grouped) declined products "
                + "(\(summary.holdout.grouped) held out): \(summary.touches.grouped) touches — \(summary.sms.grouped) SMS, "
                + "\(summary.email.grouped) email, \(summary.tasks.grouped) tasks; \(summary.dropped.grouped) not planned (see explain).")
        if touches.isEmpty { return }
        print("")
        print(
            Table.render(
                header: ["due (UTC)", "action", "customer", "products", "reason"],
                rows: touches.map {
                    [
                        Instant.iso8601($0.dueAt), $0.action.rawValue, $0.customer, $0.products.joined(separator: " "),
                        $0.reasons.first ?? "",
                    ]
                }))
    }
}
