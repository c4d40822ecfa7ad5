import AfterdeskCore
import AfterdeskDelivery
import AfterdeskSQLite
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation

/// The demo's people who sign in to the web pages: one of each role, with passwords printed by the demo (a demo
/// database only: a dealership sets its own with `afterdesk users passwd`).
public enum DemoUsers {
    public struct User: Sendable, Equatable {
        public var name: String
        public var role: Role
        public var password: String
        public var staff: String?
    }

    /// Adds the users; the salesperson works the queue of the staff member with the most open tasks. `hashPassword` is
    /// the web pages' (bcrypt, `Passwords.hash` in AfterdeskServer), given by the caller: the demo links no HTTP.
    public static func add(to db: any Storage, now: Date, hashPassword: (String) -> String) async throws -> [User] {
        let busiest = try await db.staff().filter { $0.active }.max { ($0.openTasks, $1.code) < ($1.openTasks, $0.code) }
        var users = [
            User(name: "fi", role: .fiManager, password: "demo-fi-2026", staff: nil),
            User(name: "director", role: .financeDirector, password: "demo-director-2026", staff: nil),
            User(name: "admin", role: .admin, password: "demo-admin-2026", staff: nil),
        ]
        if let busiest {
            users.insert(User(name: "sales", role: .sales, password: "demo-sales-2026", staff: busiest.code), at: 0)
        }
        for u in users {
            try await db.addUser(
                name: u.name, role: u.role, staffCode: u.staff, store: u.staff == nil ? nil : busiest?.store, now: now)
            try await db.setPassword(name: u.name, bcryptHash: hashPassword(u.password))
        }
        return users
    }

    /// An offer page link from a text the demo sent, about a deal whose F&I manager is `staff` (so "Call me" makes a task
    /// in that person's queue), still working at `now`: the newest such text.
    public struct OfferExample: Sendable, Equatable {
        public var url: String
        public var firstName: String
        public var channel: String
    }

    public static func offerExample(database: any Storage, recording: RecordingChannels, staff: String?, now: Date) async throws
        -> OfferExample?
    {
        guard let staff, let member = try await database.staff().first(where: { $0.code == staff }) else { return nil }
        for sms in recording.sms.reversed() {
            guard let range = sms.body.range(of: #"https?://[^ ]+/o/[A-Za-z0-9_-]{22}"#, options: .regularExpression) else { continue }
            let url = String(sms.body[range])
            guard let link = try await database.offerLink(tokenHash: OfferTokens.hash(String(url.suffix(22)))),
                link.fiManagerID == member.id,
                !link.productBought, !link.optedOut, !link.dealUnwound, link.stops.isEmpty, link.expiresAt > now
            else { continue }
            return OfferExample(url: url, firstName: link.firstName, channel: "text")
        }
        return nil
    }
}
