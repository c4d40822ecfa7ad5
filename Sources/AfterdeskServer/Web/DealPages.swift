import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation

/// The deals list with its search.
struct DealsPage: PageModel {
    static let template = "deals"
    struct Row: Sendable, Equatable {
        var href: String
        var store: String
        var number: String
        var date: String
        var buyer: String
        var vehicle: String
        var declined: String
        var sold: String
        var unwound: Bool
    }
    var layout: Layout
    var q: String
    var from: String
    var to: String
    var rows: [Row]
    var hasRows: Bool
    var first: String
    var last: String
    var older: String?
    var newer: String?
}

/// One deal: its products with their outcomes, the plan with its reasons, the charts.
struct DealPage: PageModel {
    static let template = "deal"
    struct Fact: Sendable, Equatable {
        var label: String
        var value: String
    }
    struct Touch: Sendable, Equatable {
        var due: String
        var action: String
        var reason: String
        var status: String
    }
    struct Product: Sendable, Equatable {
        var name: String
        var outcome: String
        var price: String?
        var reason: String?
        var holdout: Bool
        /// A held-out product: the day it is followed up from ("Held out until 2030-01-10").
        var heldOutUntil: String? = nil
        var eligibleUntil: String?
        /// The plan classes for this vehicle, each with when it closes ("a used-vehicle plan (…) until about 2029-05-02").
        var classes: [String] = []
        var hasClasses = false
        var note: String?
        var touches: [Touch]
        var hasTouches: Bool
    }
    struct Event: Sendable, Equatable {
        var date: String
        var text: String
    }
    var layout: Layout
    var title: String
    var facts: [Fact]
    var products: [Product]
    var events: [Event]
    var hasEvents: Bool
    var warrantyChart: String?
    var loanChart: String?
    var plannedAt: String?
}
