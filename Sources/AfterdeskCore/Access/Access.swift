/// Who may do what (docs/security.md). One set of users and roles serves API tokens and, later, signing in to the
/// web pages.
public enum Role: String, Sendable, CaseIterable, Codable {
    case fiManager = "fi_manager"
    case sales
    case financeDirector = "finance_director"
    case admin

    /// Tasks: a salesperson works their own queue; F&I managers and admins see every task of their stores. A
    /// finance director reads figures, not customers' contact details.
    public var tasks: TaskAccess {
        switch self {
        case .sales: return .own
        case .fiManager, .admin: return .all
        case .financeDirector: return .none
        }
    }

    public enum TaskAccess: Sendable, Equatable { case none, own, all }
}

/// A person signed in or holding a token, as a request sees them.
public struct Principal: Sendable, Equatable {
    public var userID: Int64
    public var name: String
    public var role: Role
    /// The staff member whose tasks a sales user works (its id in the store).
    public var staffID: Int64?
    /// Limited to one store, or nil for every store of the group.
    public var store: String?

    public init(userID: Int64, name: String, role: Role, staffID: Int64?, store: String?) {
        self.userID = userID
        self.name = name
        self.role = role
        self.staffID = staffID
        self.store = store
    }

    /// Whether this person may see a task assigned to `assignee` in `store`. A task they may not see does not exist
    /// for them (404, not 403: its existence is information too).
    public func maySee(taskAssignedTo assignee: Int64?, inStore taskStore: String) -> Bool {
        if let store, store != taskStore { return false }
        switch role.tasks {
        case .none: return false
        case .own: return assignee != nil && assignee == staffID
        case .all: return true
        }
    }
}
