import AfterdeskCore
import Foundation

/// A member of staff as listed.
public struct StaffRow: Sendable, Equatable, Codable {
    public var id: Int64
    public var store: String
    public var code: String
    public var name: String?
    public var role: StaffRole
    public var active: Bool
    public var openTasks: Int

    public init(
        id: Int64, store: String, code: String, name: String? = nil, role: StaffRole, active: Bool, openTasks: Int
    ) {
        self.id = id
        self.store = store
        self.code = code
        self.name = name
        self.role = role
        self.active = active
        self.openTasks = openTasks
    }
}

/// A task as the queue shows it. The phone and email are there for the person who calls: never logged.
public struct TaskRow: Sendable, Equatable, Codable {
    public var id: Int64
    public var kind: TaskKind
    public var title: String
    public var detail: String
    public var assigneeID: Int64?
    public var assignee: String?
    public var escalatedTo: String?
    public var customer: String
    public var phone: String?
    public var email: String?
    public var dueAt: Date
    public var slaAt: Date
    public var status: TaskStatus
    public var outcome: TaskOutcome?
    public var overdue: Bool
    /// The vehicle of the task's deal, its declined products (comma-separated codes) and why now (the first touch
    /// item's reason); nil for a reply task.
    public var vehicle: String?
    public var products: String?
    public var why: String?

    /// The API's names (docs/openapi.yaml), spelled out: a key strategy would convert every key of every row.
    enum CodingKeys: String, CodingKey {
        case id, kind, title, detail
        case assigneeID = "assignee_id"
        case assignee
        case escalatedTo = "escalated_to"
        case customer, phone, email
        case dueAt = "due_at"
        case slaAt = "sla_at"
        case status, outcome, overdue, vehicle, products, why
    }

    public init(
        id: Int64, kind: TaskKind, title: String, detail: String, assigneeID: Int64? = nil, assignee: String? = nil,
        escalatedTo: String? = nil, customer: String, phone: String? = nil, email: String? = nil, dueAt: Date, slaAt: Date,
        status: TaskStatus, outcome: TaskOutcome? = nil, overdue: Bool, vehicle: String? = nil, products: String? = nil, why: String? = nil
    ) {
        self.id = id
        self.kind = kind
        self.title = title
        self.detail = detail
        self.assigneeID = assigneeID
        self.assignee = assignee
        self.escalatedTo = escalatedTo
        self.customer = customer
        self.phone = phone
        self.email = email
        self.dueAt = dueAt
        self.slaAt = slaAt
        self.status = status
        self.outcome = outcome
        self.overdue = overdue
        self.vehicle = vehicle
        self.products = products
        self.why = why
    }
}

extension TaskRow {
    /// The instants as the store writes them (`2026-11-22T14:46:05Z`), as the queue printed them when they were text.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(kind, forKey: .kind)
        try c.encode(title, forKey: .title)
        try c.encode(detail, forKey: .detail)
        try c.encodeIfPresent(assigneeID, forKey: .assigneeID)
        try c.encodeIfPresent(assignee, forKey: .assignee)
        try c.encodeIfPresent(escalatedTo, forKey: .escalatedTo)
        try c.encode(customer, forKey: .customer)
        try c.encodeIfPresent(phone, forKey: .phone)
        try c.encodeIfPresent(email, forKey: .email)
        try c.encode(Instant.iso8601(dueAt), forKey: .dueAt)
        try c.encode(Instant.iso8601(slaAt), forKey: .slaAt)
        try c.encode(status, forKey: .status)
        try c.encodeIfPresent(outcome, forKey: .outcome)
        try c.encode(overdue, forKey: .overdue)
        try c.encodeIfPresent(vehicle, forKey: .vehicle)
        try c.encodeIfPresent(products, forKey: .products)
        try c.encodeIfPresent(why, forKey: .why)
    }
}

/// What a task is for (`tasks.kind`).
public enum TaskKind: String, Sendable, Equatable, CaseIterable, Codable {
    /// A planned call about declined products.
    case followUp = "follow_up"
    /// A customer's reply to answer.
    case reply
    /// A press on an offer page (`OfferPressRules`).
    case offerReply = "offer_reply"
}

/// Where a task stands (`tasks.status`).
public enum TaskStatus: String, Sendable, Equatable, CaseIterable, Codable {
    case open, done
}
