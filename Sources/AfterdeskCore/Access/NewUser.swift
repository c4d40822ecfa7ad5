/// A user to add, every field checked that can be checked without the database, so a door (the admin page, the
/// command line) refuses a bad form before it writes anything. What needs the database (a name already taken, the
/// store, the staff member) is checked by the storage in the same transaction that adds the user.
public struct NewUser: Sendable, Equatable {
    /// The name as stored: trimmed, one word.
    public let name: String
    public let role: Role
    /// The staff member whose tasks a sales user works.
    public let staffCode: String?
    /// The store the user is limited to (nil: every store; a sales user: its staff member's).
    public let store: String?

    public static let maxNameLength = 64

    /// The user, or the first field that cannot be taken: a name of one word (at most 64 characters, no spaces or
    /// line breaks once trimmed), a staff code for a sales user.
    public init(name: String, role: Role, staffCode: String?, store: String?) throws(NewUserProblem) {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= Self.maxNameLength, !trimmed.contains(where: { $0.isWhitespace || $0.isNewline })
        else { throw .name }
        if role == .sales && staffCode == nil { throw .salesWithoutStaff }
        self.name = trimmed
        self.role = role
        self.staffCode = staffCode
        self.store = store
    }
}

/// Why a user cannot be added as given.
public enum NewUserProblem: Error, Sendable, Equatable, CustomStringConvertible {
    case name
    case salesWithoutStaff

    public var description: String {
        switch self {
        case .name: "a user name is one word of at most 64 characters, such as kliu"
        case .salesWithoutStaff: "a sales user needs a staff code: the staff member whose tasks it works"
        }
    }
}
