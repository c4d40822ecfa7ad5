import AfterdeskCore
import Foundation
import Hummingbird

/// The filters the figures pages share (the dashboard, the scorecard): `from` and `to` in the dealership's calendar
/// (`to` defaults to today, `from` to a year before `to`) and the store, which a user of one store cannot change. A bad
/// one is a 400 page naming it.
struct FigureFilters {
    var today: LocalDate
    var from: LocalDate
    var to: LocalDate
    var store: String?

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
        store = q["store"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        if let own = user.principal.store { store = own }
    }
}
