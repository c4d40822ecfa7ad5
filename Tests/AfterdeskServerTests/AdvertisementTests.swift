import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import Testing

@testable import AfterdeskSQLite
@testable import AfterdeskServer
@testable import AfterdeskWorkflows

/// Issue 24, item 6: a DMS consent flag is not affirmative consent (CAN-SPAM, 15 U.S.C. §7702(1)), so the email says it
/// is an advertisement; consent recorded by staff with its evidence is, and the email does not.
@Suite(.serialized, .talliedByBackend) struct AdvertisementTests {
    func jamesEmail(_ backend: TestBackend, affirmative: Bool) async throws -> (text: String, html: String) {
        let s = try await Scenario(backend: backend)
        if affirmative {
            _ = try await s.db.recordConsent(
                address: "james@example.com", channel: .email, evidence: "ticked \"email me offers\" on the buyer's order",
                date: LocalDate(year: 2026, month: 10, day: 1)!, by: "kliu", now: utc("2026-10-01T21:00:00Z"))
        }
        let james = try #require(try await s.touches("D-2").first { $0.action == "email" })
        _ = try await s.dispatcher.run(now: utc(james.due).addingTimeInterval(60))
        let row = try #require(try await s.rows("SELECT body, html FROM outbox WHERE channel = 'email'").first)
        return (row[0], row[1])
    }

    @Test(arguments: TestBackend.all) func anImportedConsentFlagMakesTheEmailSayItIsAnAdvertisement(backend: TestBackend) async throws {
        let email = try await jamesEmail(backend, affirmative: false)
        #expect(email.text.contains("This email is an advertisement from Lakeside Motors."))
        #expect(email.html.contains("This email is an advertisement from Lakeside Motors."))
    }

    @Test(arguments: TestBackend.all) func consentRecordedWithItsEvidenceIsAffirmative(backend: TestBackend) async throws {
        let email = try await jamesEmail(backend, affirmative: true)
        #expect(!email.text.contains("advertisement") && !email.html.contains("advertisement"))
    }
}
