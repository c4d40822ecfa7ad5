import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation
import Hummingbird
import HummingbirdAuth

/// What a signed-in browser's session holds: whose it is and the token its forms must carry.
struct WebSession: Codable, Sendable {
    var userID: Int64
    var csrf: String
    var signedInAt: Date
}

/// Hummingbird's `PersistDriver` over the store (table `persist`), on the application's clock, so sessions survive a
/// restart and expire in tests without waiting.
struct StorePersistDriver: PersistDriver {
    let database: any Storage
    let clock: AfterdeskCore.Clock

    private func expiry(_ expires: Duration?) -> Date? {
        expires.map { clock.now().addingTimeInterval(TimeInterval($0.components.seconds)) }
    }

    func create<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        let data = try JSONEncoder().encode(value)
        guard
            try await database.persistSet(
                key: key, value: data, expiresAt: expiry(expires), keepExpiry: false, onlyNew: true, now: clock.now())
        else { throw PersistError.duplicate }
    }

    func set<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        let data = try JSONEncoder().encode(value)
        try await database.persistSet(
            key: key, value: data, expiresAt: expiry(expires), keepExpiry: expires == nil, onlyNew: false, now: clock.now())
    }

    func get<Object: Codable & Sendable>(key: String, as: Object.Type) async throws -> Object? {
        try await getWithTTL(key: key, as: Object.self)?.object
    }

    func getWithTTL<Object: Codable & Sendable>(key: String, as: Object.Type) async throws -> (object: Object, ttl: Duration?)? {
        guard let stored = try await database.persistGet(key: key, now: clock.now()) else { return nil }
        guard let object = try? JSONDecoder().decode(Object.self, from: stored.value) else { throw PersistError.invalidConversion }
        return (object, stored.expiresAt.map { .seconds(max(0, Int64($0.timeIntervalSince(clock.now())))) })
    }

    func remove(key: String) async throws { try await database.persistRemove(key: key) }
}

/// A person signed in through a browser.
struct SignedIn: Sendable {
    var principal: Principal
    var session: WebSession
}

/// Sessions of the web pages: a random cookie (HttpOnly, SameSite=Lax, Secure when `public_url` is https) naming a
/// row of `persist`; 12 hours from signing in.
struct WebAuth: Sendable {
    static let cookieName = "afterdesk_session"
    static let loginCSRFCookie = "afterdesk_login"
    static let lifetime = Duration.seconds(12 * 3600)
    let ctx: ServerContext

    var secure: Bool { ctx.settings.publicURL.lowercased().hasPrefix("https://") }

    var sessions: SessionStorage<WebSession> {
        SessionStorage(
            StorePersistDriver(database: ctx.database, clock: ctx.clock),
            configuration: .init(
                sessionCookieParameters: .init(name: Self.cookieName, path: "/", secure: secure, sameSite: .lax),
                keyPrefix: Self.sessionKeyPrefix))
    }

    static let sessionKeyPrefix = "session."

    /// The key of the request's session in `persist`, if it carries one.
    func sessionKey(_ request: Request) -> String? {
        sessions.getId(request: request).map { Self.sessionKeyPrefix + $0 }
    }

    /// The person a request's session belongs to, while the session is unexpired and the user active. Read by the page
    /// groups' `SessionAuthenticator` (and the error page's navigation), never by a route.
    func signedIn(_ request: Request) async throws -> SignedIn? {
        guard request.cookies[Self.cookieName] != nil else { return nil }
        guard let session = try? await sessions.load(request: request),
            let principal = try await ctx.database.principal(userID: session.userID)
        else { return nil }
        return SignedIn(principal: principal, session: session)
    }

    /// A cookie that ends at once (signing out, the login form's token once used).
    /// `path` must be the one the cookie was set with, or the browser keeps it.
    func expired(_ name: String, path: String = "/") -> Cookie {
        Cookie(name: name, value: "", expires: Date(timeIntervalSince1970: 0), path: path, secure: secure, sameSite: .lax)
    }
}

extension Role {
    /// The role's name for people.
    var label: String {
        switch self {
        case .sales: return "sales"
        case .fiManager: return "F&I manager"
        case .financeDirector: return "finance director"
        case .admin: return "admin"
        }
    }

    /// Where the role's work starts (`GET /`).
    var home: String {
        switch self {
        case .sales: return WebPaths.tasks
        case .fiManager: return WebPaths.deals
        case .financeDirector: return WebPaths.dashboard
        case .admin: return WebPaths.adminUsers
        }
    }
}
