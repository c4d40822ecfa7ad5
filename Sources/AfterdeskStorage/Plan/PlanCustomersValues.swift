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

    /// Adds another run's counts to these (once per chunk of customers, so the key paths cost nothing that shows).
    public mutating func add(_ o: PlanSummary) {
        let counts: [WritableKeyPath<PlanSummary, Int>] = [
            \.customers, \.declines, \.holdout, \.touches, \.sms, \.email, \.tasks, \.dropped,
        ]
        for count in counts { self[keyPath: count] += o[keyPath: count] }
    }
}

/// One line of `afterdesk plan`.
public struct PlannedTouchRow: Codable, Sendable, Equatable {
    public var id: Int64
    public var dueAt: Date
    public var dueOn: LocalDate
    public var action: TouchAction
    public var status: TouchStatus
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
        id: Int64, dueAt: Date, dueOn: LocalDate, action: TouchAction, status: TouchStatus, customer: String, products: [String],
        template: String, reasons: [String]
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

extension PlannedTouchRow {
    /// `due_at` as the store writes instants (`2026-11-22T14:46:05Z`), as the plan printed it when it was text.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(Instant.iso8601(dueAt), forKey: .dueAt)
        try c.encode(dueOn, forKey: .dueOn)
        try c.encode(action, forKey: .action)
        try c.encode(status, forKey: .status)
        try c.encode(customer, forKey: .customer)
        try c.encode(products, forKey: .products)
        try c.encode(template, forKey: .template)
        try c.encode(reasons, forKey: .reasons)
    }
}

/// Where a planned touch stands (`touches.status`).
public enum TouchStatus: String, Sendable, Equatable, CaseIterable, Codable {
    case planned, sent, cancelled, skipped
}
