import AfterdeskCore
import Foundation
import Hummingbird

/// The filters the figures pages share (the dashboard, the scorecard): `from` and `to` in the dealership's calendar
/// (`to` defaults to today, `from` to a year before `to`) and the store, one of the person's (a user of one store sees
/// theirs; of several, all of theirs pooled or one). A bad date is a 400 page naming it; another's store is 404.
struct FigureFilters {
    var today: LocalDate
    var from: LocalDate
    var to: LocalDate
    var store: String?
    /// The stores of a report pooled over some stores (a user of several, naming none); nil: every store.
    var stores: [String]?

    init(_ q: Parameters, user: SignedIn, today: LocalDate) throws {
        func date(_ name: String) throws -> LocalDate? {
            guard let text = q[Substring(name)].map(String.init), !text.isEmpty else { return nil }
            guard let d = LocalDate(text) else {
                throw AppError(.badRequest, "\(name) '\(text)' is not a date such as 2026-12-01.")
            }
            return d
        }
        self.today = today
        to = try date("to") ?? today
        from = try date("from") ?? to.adding(years: -1)
        guard from <= to else { throw AppError(.badRequest, "from \(from) is after to \(to).") }
        // A store that is not the person's does not exist for them.
        (store, stores) = try user.principal.reportScope(asking: q["store"].map(String.init).flatMap { $0.isEmpty ? nil : $0 })
    }
}

/// An option of a figures page's store filter: every store the person may see (or all of them, pooled), and each.
struct StoreChoice: Sendable, Equatable {
    var value: String
    var label: String
    var selected: Bool

    /// The store filter's options for `user` among the database's stores `all`, `selected` chosen: none when there is
    /// nothing to choose (a person of one store, a database of one store).
    static func options(for user: Principal, among all: [String], selected: String?) -> [StoreChoice] {
        let theirs = user.storeChoices(of: all)
        guard theirs.count > 1 else { return [] }
        let pooled = StoreChoice(value: "", label: user.isGroup ? "all stores" : "all my stores", selected: selected == nil)
        return [pooled] + theirs.map { StoreChoice(value: $0, label: $0, selected: $0 == selected) }
    }
}
