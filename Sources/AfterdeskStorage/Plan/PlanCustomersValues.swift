import AfterdeskCore
import Foundation

/// What a planning run did.
public struct PlanSummary: Codable, Sendable, Equatable {
    public var customers = 0
    public var declines = 0
    public var holdout = 0
    public var touches = 0
    public var sms = 0
    public var email = 0
    public var tasks = 0
    /// Touches the rules removed (window closed, past, no room under the caps).
    public var dropped = 0
    public init() {}
}

/// One line of `afterdesk plan`.
public struct PlannedTouchRow: Codable, Sendable, Equatable {
    public var id: Int64
    public var dueAt: String
    public var dueOn: String
    public var action: String
    public var status: String
    public var customer: String
    public var products: [String]
    public var template: String
    public var reasons: [String]
    enum CodingKeys: String, CodingKey {
        case id
        case dueAt = "due_at"
        case dueOn = "due_on"
        case action, status, customer, products, template, reasons
    }

    public init(
        id: Int64, dueAt: String, dueOn: String, action: String, status: String, customer: String, products: [String], template: String,
        reasons: [String]
    ) {
        self.id = id
        self.dueAt = dueAt
        self.dueOn = dueOn
        self.action = action
        self.status = status
        self.customer = customer
        self.products = products
        self.template = template
        self.reasons = reasons
    }
}
