import Foundation

/// Why follow-up of a declined product stops for good, recorded by staff, a task outcome or an import of facts.
public enum StopKind: String, Sendable, Equatable, CaseIterable, Codable {
    /// The vehicle was traded in or sold: nothing on it is worth raising.
    case vehicleSold = "vehicle_sold"
    /// The loan was paid off: GAP covers nothing any more.
    case loanPaidOff = "loan_paid_off"
    /// The customer said no to this product again, to a person.
    case notInterested = "not_interested"
    /// The customer bought the product after the desk (a task closed as sold, an after-sale contract).
    case purchased

    /// True when a stop of this kind ends follow-up of a product of `kind`.
    public func applies(to kind: ProductKind) -> Bool {
        switch self {
        case .vehicleSold, .notInterested, .purchased: return true
        case .loanPaidOff: return kind == .gap
        }
    }

    public var reason: String {
        switch self {
        case .vehicleSold: return "the vehicle was traded in or sold"
        case .loanPaidOff: return "the loan was paid off"
        case .notInterested: return "the customer told staff they are not interested"
        case .purchased: return "the customer bought it after the desk"
        }
    }
}
