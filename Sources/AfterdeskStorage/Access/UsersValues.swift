import AfterdeskCore
import Foundation

/// A user as `afterdesk users list` shows it.
public struct UserRow: Sendable, Equatable, Codable {
    public var id: Int64
    public var name: String
    public var role: Role
    public var staff: String?
    /// The stores the user works in, sorted; empty for a user of the whole group.
    public var stores: [String]
    public var active: Bool
    public var hasPassword: Bool
    public var tokens: Int

    public init(
        id: Int64, name: String, role: Role, staff: String? = nil, stores: [String] = [], active: Bool, hasPassword: Bool,
        tokens: Int
    ) {
        self.id = id
        self.name = name
        self.role = role
        self.staff = staff
        self.stores = stores
        self.active = active
        self.hasPassword = hasPassword
        self.tokens = tokens
    }
}

extension UserRow {
    /// The user's stores for people: "austin, tulsa", or "every store" for the group's.
    public var storesText: String { stores.isEmpty ? "every store" : stores.joined(separator: ", ") }
}

/// An API token as `afterdesk tokens list` shows it: never the token, only its first characters.
public struct TokenRow: Sendable, Equatable, Codable {
    public var id: Int64
    public var user: String
    public var label: String
    public var createdAt: Date
    public var expiresAt: Date?
    public var revokedAt: Date?

    public init(
        id: Int64, user: String, label: String, createdAt: Date, expiresAt: Date? = nil, revokedAt: Date? = nil
    ) {
        self.id = id
        self.user = user
        self.label = label
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }
}

extension TokenRow {
    enum CodingKeys: String, CodingKey { case id, user, label, createdAt, expiresAt, revokedAt }

    /// The instants as the store writes them (`2026-11-22T14:46:05Z`), as the list printed them when they were text.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(user, forKey: .user)
        try c.encode(label, forKey: .label)
        try c.encode(Instant.iso8601(createdAt), forKey: .createdAt)
        try c.encodeIfPresent(expiresAt.map(Instant.iso8601), forKey: .expiresAt)
        try c.encodeIfPresent(revokedAt.map(Instant.iso8601), forKey: .revokedAt)
    }
}
