import AfterdeskCore
import Foundation

/// A member of staff as listed.
public struct StaffRow: Sendable, Equatable, Codable {
    public var id: Int64
    public var store: String
    public var code: String
    public var name: String?
    public var role: String
    public var active: Bool
    public var openTasks: Int

    public init(
        id: Int64, store: String, code: String, name: String? = nil, role: String, active: Bool, openTasks: Int
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
    public var kind: String
    public var title: String
    public var detail: String
    public var assigneeID: Int64?
    public var assignee: String?
    public var escalatedTo: String?
    public var customer: String
    public var phone: String?
    public var email: String?
    public var dueAt: String
    public var slaAt: String
    public var status: String
    public var outcome: String?
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
        id: Int64, kind: String, title: String, detail: String, assigneeID: Int64? = nil, assignee: String? = nil,
        escalatedTo: String? = nil, customer: String, phone: String? = nil, email: String? = nil, dueAt: String, slaAt: String,
        status: String, outcome: String? = nil, overdue: Bool, vehicle: String? = nil, products: String? = nil, why: String? = nil
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
