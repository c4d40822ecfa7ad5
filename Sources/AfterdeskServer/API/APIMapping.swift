import AfterdeskAPI
import AfterdeskCore
import AfterdeskStorage
import Foundation
import OpenAPIRuntime

/// Storage and domain values to the API's generated types and back: the one place the two meet, so a storage change is
/// not an API change. Typed schemas are mapped field by field; the documents the spec leaves open (a deal, a plan, the
/// report, an import's summary: `additionalProperties: true`) are the domain's JSON, read into the generated type,
/// which checks their required fields.
enum APIMapping {
    static func deal(_ d: DealListItem) -> Components.Schemas.DealListItem {
        .init(
            store: d.store, dealNumber: d.dealNumber, status: status(d.status), contractDate: d.contractDate.description,
            dealType: dealType(d.dealType), buyer: d.buyer, vehicle: d.vehicle, sold: d.sold, declined: d.declined)
    }

    static func status(_ s: DealStatus) -> Components.Schemas.DealListItem.StatusPayload {
        switch s {
        case .finalized: return .finalized
        case .unwound: return .unwound
        }
    }

    static func dealType(_ t: DealType) -> Components.Schemas.DealListItem.DealTypePayload {
        switch t {
        case .cash: return .cash
        case .finance: return .finance
        case .lease: return .lease
        }
    }

    static func grouping(_ by: Operations.GetReport.Input.Query.ByPayload) -> ReportGrouping {
        switch by {
        case .product: return .product
        case .month: return .month
        case .staff: return .staff
        case .store: return .store
        case .saleMonth: return .saleMonth
        }
    }

    static func profile(_ p: Operations.ImportDeals.Input.Query.ProfilePayload?) throws -> ImportProfile {
        let name = p?.rawValue ?? "canonical"
        guard let profile = ImportProfile.named(name) else {
            throw AppError(.badRequest, "profile is one of \(ImportProfile.all.map(\.name).joined(separator: ", "))")
        }
        return profile
    }

    /// A task's outcome as the dispatcher takes it: amounts parsed, a bad one refused naming its field.
    static func outcome(_ o: Components.Schemas.Outcome) throws -> (outcome: TaskOutcome, price: Money?, cost: Money?) {
        guard let outcome = TaskOutcome(rawValue: o.outcome.rawValue) else {
            throw AppError(.badRequest, "outcome must be one of \(TaskOutcome.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return (outcome, try amount(o.price, "price"), try amount(o.cost, "cost"))
    }

    private static func amount(_ text: String?, _ field: String) throws -> Money? {
        guard let text else { return nil }
        guard let m = Money(text) else { throw StoreError("\(field) '\(text)' is not an amount") }
        return m
    }

    /// A query's date, `2026-12-01`; a value that is not one is refused (422, as the store refuses a bad date).
    static func date(_ text: String?, _ name: String) throws -> LocalDate? {
        guard let text = text.nonEmpty else { return nil }
        guard let d = LocalDate(text) else { throw StoreError("\(name) '\(text)' is not a date such as 2026-12-01") }
        return d
    }

    static func cursor(_ offset: Int) -> String { Data("o:\(offset)".utf8).base64EncodedString() }

    static func offset(_ cursor: String) -> Int? {
        guard cursor.count <= 40, let data = Data(base64Encoded: cursor), let text = String(data: data, encoding: .utf8),
            text.hasPrefix("o:"),
            let n = Int(text.dropFirst(2)), n >= 0, n <= 100_000_000
        else { return nil }
        return n
    }

    /// A domain value's JSON (the command line's), read as the API's type for it.
    static func document<Value: Encodable, Document: Decodable>(_ value: Value) throws -> Document {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try decoded(encoder.encode(value))
    }

    static func decoded<Document: Decodable>(_ json: Data) throws -> Document {
        try JSONDecoder().decode(Document.self, from: json)
    }
}
