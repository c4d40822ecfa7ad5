import AfterdeskCore
import AfterdeskStore
import ArgumentParser
import Foundation

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Plan the follow-up of declined products (all customers, or one deal's customer) and list the planned touches.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Menu file (default: menus/default.yaml, or the menu stored with the database).") var menu: String?
    @Option(help: "Only the customer of this deal.") var deal: String?
    @Option(help: "Plan as of this instant (ISO 8601); default: now.") var now: String?
    @Option(help: "List at most this many touches.") var limit: Int = 50
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        var at = Date()
        if let now {
            guard let parsed = ISO8601DateFormatter().date(from: now) else {
                throw ValidationError("--now '\(now)' is not an ISO 8601 instant such as 2026-06-02T15:00:00Z")
            }
            at = parsed
        }
        let db = try database.open()
        let inForce = try loadMenu(menu, db)
        let planner = Planner(menu: inForce.menu, warranties: inForce.warranties)
        var customers: [Int64]?
        if let deal {
            customers = try db.customerIDs(ofDeals: [deal])
            if customers!.isEmpty { printError("No deal \(deal)."); throw ExitCode(1) }
        }
        let summary = try db.planCustomers(planner: planner, now: at, customerIDs: customers)
        let touches = try db.plannedTouches(dealNumber: deal, limit: limit)
        if json {
            struct Output: Encodable { let summary: PlanSummary; let touches: [PlannedTouchRow] }
            print(try jsonString(Output(summary: summary, touches: touches)))
            return
        }
        print("Planned \(summary.customers.grouped) customers, \(summary.declines.grouped) declined products "
              + "(\(summary.holdout.grouped) held out): \(summary.touches.grouped) touches — \(summary.sms.grouped) SMS, "
              + "\(summary.email.grouped) email, \(summary.tasks.grouped) tasks; \(summary.dropped.grouped) not planned (see explain).")
        if touches.isEmpty { return }
        print("")
        print(Table.render(header: ["due (UTC)", "action", "customer", "products", "reason"],
                           rows: touches.map { [$0.dueAt, $0.action, $0.customer, $0.products.joined(separator: " "), $0.reasons.first ?? ""] }))
    }
}
