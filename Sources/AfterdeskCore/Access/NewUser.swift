/// A user to add, every field checked that can be checked without the database, so a door (the admin page, the
/// command line) refuses a bad form before it writes anything. What needs the database (a name already taken, the
/// store, the staff member) is checked by the storage in the same transaction that adds the user.
public struct NewUser: Sendable, Equatable {
    /// The name as stored: trimmed, one word.
    public let name: String
    public let role: Role
    /// The staff member whose tasks a sales user works.
    public let staffCode: String?
    /// The stores the user is limited to (empty: the whole group; a sales user: its staff member's), sorted, each once.
    public let stores: [String]

    public static let maxNameLength = 64

    /// The user, or the first field that cannot be taken: a name of one word (at most 64 characters, no spaces or
    /// line breaks once trimmed), a staff code for a sales user.
    public init(name: String, role: Role, staffCode: String?, store: String?) throws(NewUserProblem) {
        try self.init(name: name, role: role, staffCode: staffCode, stores: store.map { [$0] } ?? [])
    }

    /// A user of `stores` (empty: the whole group). A sales user works one staff member's tasks, in one store.
    public init(name: String, role: Role, staffCode: String?, stores: [String]) throws(NewUserProblem) {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= Self.maxNameLength, !trimmed.contains(where: { $0.isWhitespace || $0.isNewline })
        else { throw .name }
        if role == .sales && staffCode == nil { throw .salesWithoutStaff }
        let stores = Array(Set(stores)).sorted()
        if role == .sales && stores.count > 1 { throw .salesInSeveralStores }
        self.name = trimmed
        self.role = role
        self.staffCode = staffCode
        self.stores = stores
    }
}

/// Why a user cannot be added as given.
public enum NewUserProblem: Error, Sendable, Equatable, CustomStringConvertible {
    case name
    case salesWithoutStaff
    case salesInSeveralStores

    public var description: String {
        switch self {
        case .name: "a user name is one word of at most 64 characters, such as kliu"
        case .salesWithoutStaff: "a sales user needs a staff code: the staff member whose tasks it works"
        case .salesInSeveralStores: "a sales user works one staff member's tasks, in one store: give one --store"
        }
    }
}
