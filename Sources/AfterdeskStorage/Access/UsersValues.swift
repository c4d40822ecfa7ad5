import AfterdeskCore
import Foundation

/// A user as `afterdesk users list` shows it.
public struct UserRow: Sendable, Equatable, Codable {
    public var id: Int64
    public var name: String
    public var role: String
    public var staff: String?
    public var store: String?
    public var active: Bool
    public var hasPassword: Bool
    public var tokens: Int

    public init(
        id: Int64, name: String, role: String, staff: String? = nil, store: String? = nil, active: Bool, hasPassword: Bool, tokens: Int
    ) {
        self.id = id
        self.name = name
        self.role = role
        self.staff = staff
        self.store = store
        self.active = active
        self.hasPassword = hasPassword
        self.tokens = tokens
    }
}

/// An API token as `afterdesk tokens list` shows it: never the token, only its first characters.
public struct TokenRow: Sendable, Equatable, Codable {
    public var id: Int64
    public var user: String
    public var label: String
    public var createdAt: String
    public var expiresAt: String?
    public var revokedAt: String?

    public init(
        id: Int64, user: String, label: String, createdAt: String, expiresAt: String? = nil, revokedAt: String? = nil
    ) {
        self.id = id
        self.user = user
        self.label = label
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }
}
