import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import HummingbirdTesting
import Testing

@testable import AfterdeskServer

/// `/admin/stores`: the stores as they run, and an admin's form that sets and clears a store's own setting.
@Suite(.serialized, .talliedByBackend) struct StoresPageTests {
    @Test(arguments: TestBackend.all) func anAdminSetsAndClearsAStoresOwnSetting(backend: TestBackend) async throws {
        let f = try await WebFixture(backend: backend)
        try await f.app().test(.router) { client in
            var b = TestBrowser()
            try await b.signIn(client, "root")
            let page = String(buffer: try await b.get(client, "/admin/stores").body)
            #expect(page.contains("<h1>Stores</h1>") && page.contains("id=\"store-main\""))
            #expect(page.contains("the group&#39;s, holdout") || page.contains("the group's, holdout"))
            // A number not in E.164 is refused with the reason, and nothing is kept.
            let bad = try await b.post(
                client, "/admin/stores", [("store", "main"), ("key", "sms_from"), ("value", "555-0100"), ("action", "set")])
            #expect(bad.status == .unprocessableContent && String(buffer: bad.body).contains("is not a number in E.164 form"))
            #expect(try await f.s.db.storeSettings().isEmpty)
            // Set: the page shows it as the store's own.
            let set = try await b.post(
                client, "/admin/stores", [("store", "main"), ("key", "sms_from"), ("value", "+15125550100"), ("action", "set")])
            #expect(set.status == .seeOther)
            #expect(try await f.s.db.storeSettings() == ["main": ["sms_from": "+15125550100"]])
            let shown = String(buffer: try await b.get(client, "/admin/stores").body)
            #expect(shown.contains("<td><code>sms_from</code></td><td>+15125550100</td><td>store</td>"))
            // Clear: the group's applies again.
            let clear = try await b.post(client, "/admin/stores", [("store", "main"), ("key", "sms_from"), ("action", "clear")])
            #expect(clear.status == .seeOther)
            #expect(try await f.s.db.storeSettings().isEmpty)
            // A key that is not a store's own is refused.
            let other = try await b.post(
                client, "/admin/stores", [("store", "main"), ("key", "smtp_password"), ("value", "x"), ("action", "set")])
            #expect(other.status == .unprocessableContent)
        }
        // Logged: who changed which store's which key; never the value.
        #expect(f.log.text.contains("store setting change") && !f.log.text.contains("+15125550100"))
    }
}
