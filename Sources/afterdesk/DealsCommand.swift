import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows
import ArgumentParser
import Foundation

struct Deals: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List imported deals, or show one.",
        subcommands: [List.self, Show.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List deals, newest first.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "First contract date (YYYY-MM-DD).") var from: String?
        @Option(help: "Last contract date (YYYY-MM-DD).") var to: String?
        @Option(help: "Only this store.") var store: String?
        @Option(help: "At most this many deals.") var limit: Int = 50
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            func date(_ s: String?, _ name: String) throws -> LocalDate? {
                guard let s else { return nil }
                guard let d = LocalDate(s) else { throw ValidationError("--\(name) '\(s)' is not a date (YYYY-MM-DD)") }
                return d
            }
            let filter = DealFilter(from: try date(from, "from"), to: try date(to, "to"), store: store, limit: limit)
            let deals = try await database.open().listDeals(filter)
            if json {
                print(try jsonString(deals))
                return
            }
            if deals.isEmpty {
                print("No deals.")
                return
            }
            let rows = deals.map {
                [
                    $0.dealNumber, $0.contractDate.description, $0.status.rawValue, $0.dealType.rawValue, $0.buyer, $0.vehicle,
                    $0.sold.joined(separator: " "), $0.declined.joined(separator: " "),
                ]
            }
            print(Table.render(header: ["deal", "contract", "status", "type", "buyer", "vehicle", "sold", "declined"], rows: rows))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Everything stored about one deal.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Deal number.") var number: String
        @Option(help: "Store, when several stores use the number.") var store: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let found: DealDetail?
            found = try await database.open().deal(number: number, store: store)
            guard let d = found else {
                printError("No deal \(number)\(store.map { " in store \($0)" } ?? "").")
                throw ExitCode(1)
            }
            if json {
                print(try jsonString(d))
                return
            }
            var out =
                "Deal \(d.dealNumber) (store \(d.store)) — \(d.status.rawValue), \(d.dealType.rawValue), contract \(d.contractDate), delivered \(d.deliveryDate)\n"
            out += "Buyer:    \(d.buyer)  phone \(d.phone ?? "—")  email \(d.email ?? "—")  \(d.state ?? "") \(d.zip ?? "")\n"
            out +=
                "Consent:  " + d.consent.map { "\($0.channel.rawValue) \($0.granted ? "yes" : "no")" }.joined(separator: ", ")
                + "  (\(d.consent.first?.source ?? ""))\n"
            out +=
                "Vehicle:  \(d.vehicle), \(d.condition.rawValue), VIN \(d.vin), \(d.odometer.grouped) mi at sale, in service \(d.inServiceDate)\(d.inServiceEstimated ? " (estimated)" : "")\n"
            out += "Price:    \(d.sellingPrice)  value \(d.vehicleValue)"
            if let f = d.amountFinanced {
                out +=
                    "  financed \(f) at \(d.apr?.description ?? "?")% for \(d.termMonths ?? 0) months, first payment \(d.firstPaymentDate?.description ?? "?")\(d.lender.map { ", \($0)" } ?? "")"
            }
            out += "\nStaff:    salesperson \(d.salesperson ?? "—"), F&I \(d.fiManager ?? "—")\n\nProducts:\n"
            for p in d.products {
                out +=
                    "  \(p.code.padding(toLength: 12, withPad: " ", startingAt: 0)) \(p.outcome.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0))"
                if let price = p.price { out += " \(p.outcome == .sold ? "price" : "quoted") \(price)" }
                if let cost = p.cost { out += " cost \(cost)" }
                if let r = p.reason { out += " reason: \(r)" }
                if p.presumed { out += " (presumed: full menu presented, not sold)" }
                out += "\n"
            }
            if !d.events.isEmpty {
                out += "\nEvents:\n"
                for e in d.events {
                    out +=
                        "  \(e.occurredOn) \(e.kind.rawValue)\(e.product.map { " \($0)" } ?? "")\(e.price.map { " \($0)" } ?? "")\(e.detail.map { " — \($0)" } ?? "")\n"
                }
            }
            out += "\nImported from \(d.importedFrom)"
            print(out)
        }
    }
}

enum Table {
    /// A plain text table, columns padded to their widest cell.
    static func render(header: [String], rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([line(header), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line)).joined(separator: "\n")
    }
}
