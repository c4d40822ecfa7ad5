import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB
import HummingbirdTesting
import Testing

@testable import AfterdeskSQLite
@testable import AfterdeskServer

/// The admin page's add-user form checks every field before it writes (issue 26, the races): a refused form leaves
/// the users table as it was, a password of a user already there included.
@Suite(.serialized, .talliedByBackend) struct AdminAddUserTests {
    static let strong = "a quiet harbour at dawn"

    /// Every column of every user: what a refused form must not change.
    static func users(_ f: WebFixture) async throws -> [String] {
        try await f.s.rows("SELECT * FROM users ORDER BY id").map { "\($0)" }
    }

    @Test(arguments: TestBackend.all) func aRefusedFormLeavesTheUsersTableUnchanged(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        let before = try await Self.users(f)
        let refused: [(why: String, fields: [(String, String)])] = [
            ("a name of two words", [("name", "g park"), ("role", "fi_manager"), ("password", Self.strong)]),
            ("a name too long", [("name", String(repeating: "g", count: 65)), ("role", "fi_manager"), ("password", Self.strong)]),
            ("no role", [("name", "gpark"), ("password", Self.strong)]),
            ("a sales user without staff", [("name", "gpark"), ("role", "sales"), ("password", Self.strong)]),
            ("an unknown store", [("name", "gpark"), ("role", "fi_manager"), ("store", "nowhere"), ("password", Self.strong)]),
            ("an unknown staff member", [("name", "gpark"), ("role", "sales"), ("staff", "ZZ9"), ("password", Self.strong)]),
            ("a short password", [("name", "gpark"), ("role", "fi_manager"), ("password", "short")]),
            ("a password holding the name", [("name", "gpark"), ("role", "fi_manager"), ("password", "gpark-gpark-gpark")]),
            ("a name taken, with a new password", [("name", "kliu"), ("role", "admin"), ("password", Self.strong)]),
        ]
        try await f.app().test(.router) { client in
            var admin = TestBrowser()
            try await admin.signIn(client, "root")
            _ = try await admin.get(client, "/admin/users")
            for form in refused {
                let r = try await admin.post(client, "/admin/users", [("action", "add")] + form.fields)
                #expect(r.status == .unprocessableContent, "\(form.why)")
                // The page speaks of the form's fields, never of the command line's flags.
                #expect(!String(buffer: r.body).contains("--staff") && !String(buffer: r.body).contains("--role"), "\(form.why)")
            }
        }
        await #expect(try Self.users(f) == before)
    }

    @Test(arguments: TestBackend.all) func anAcceptedFormAddsTheUserWithItsPasswordAtOnce(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        try await f.app().test(.router) { client in
            var admin = TestBrowser()
            try await admin.signIn(client, "root")
            _ = try await admin.get(client, "/admin/users")
            let r = try await admin.post(
                client, "/admin/users",
                [("action", "add"), ("name", " gpark "), ("role", "sales"), ("staff", "S9"), ("password", Self.strong)])
            #expect(r.status == .seeOther)
            var gpark = TestBrowser()
            let signIn = try await gpark.signIn(client, "gpark", Self.strong)
            #expect(signIn.status == .seeOther)
        }
        let rows = try await f.s.rows(
            "SELECT u.name, u.role, u.password_hash IS NOT NULL AS has_password, s.code FROM users u JOIN stores s ON s.id = u.store_id WHERE u.name = 'gpark'"
        )
        #expect(rows.count == 1)
        #expect(rows.first?["role"] as String? == "sales" && rows.first?["has_password"] as Bool? == true)
        #expect(rows.first?["code"] as String? == "main")
    }
}
