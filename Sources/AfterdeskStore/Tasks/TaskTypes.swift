import AfterdeskCore
import Foundation
import GRDB

/// A member of staff as listed.
public struct StaffRow: Sendable, Equatable, Codable {
    public var id: Int64
    public var store: String
    public var code: String
    public var name: String?
    public var role: String
    public var active: Bool
    public var openTasks: Int
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
}
