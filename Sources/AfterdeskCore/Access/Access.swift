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
    /// The stores this person works in, sorted, or nil for the whole group. An empty list is no store at all: only nil
    /// ever means every store.
    public var stores: [String]?

    public init(userID: Int64, name: String, role: Role, staffID: Int64?, stores: [String]?) {
        self.userID = userID
        self.name = name
        self.role = role
        self.staffID = staffID
        self.stores = stores.map { Array(Set($0)).sorted() }
    }

    /// A person of one store (`store`), or of the whole group (nil).
    public init(userID: Int64, name: String, role: Role, staffID: Int64?, store: String?) {
        self.init(userID: userID, name: name, role: role, staffID: staffID, stores: store.map { [$0] })
    }

    /// Whether this person is the group's (every store, today's and tomorrow's).
    public var isGroup: Bool { stores == nil }

    /// Their one store, when they have exactly one: where an import that names no store goes, the report they see.
    public var onlyStore: String? { stores?.count == 1 ? stores?.first : nil }

    /// Whether records of `store` exist for this person. Anything of another store is 404 to them.
    public func mayReach(_ store: String) -> Bool { stores.map { $0.contains(store) } ?? true }

    /// The stores a list shows this person when they ask for `asked` (nil: all they may see). Nil: every store; an
    /// empty list when they asked for a store that is not theirs (a list of nothing, never another store's rows).
    public func storesShown(asking asked: String?) -> [String]? {
        guard let asked else { return stores }
        return mayReach(asked) ? [asked] : []
    }

    /// Whether this person may see a task assigned to `assignee` in `store`. A task they may not see does not exist
    /// for them (404, not 403: its existence is information too).
    public func maySee(taskAssignedTo assignee: Int64?, inStore taskStore: String) -> Bool {
        guard mayReach(taskStore) else { return false }
        switch role.tasks {
        case .none: return false
        case .own: return assignee != nil && assignee == staffID
        case .all: return true
        }
    }
}
