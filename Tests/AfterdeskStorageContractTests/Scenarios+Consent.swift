import AfterdeskCore
import AfterdeskStorage
import Foundation
import Testing

/// Consent and opt-outs: what customers asked for, which no import may undo.
extension Scenarios {
    static let consentArea: [(name: String, run: Scenario)] = [
        ("consent: an opt-out survives a re-import that says consent=yes", optOutSurvivesImport),
        ("consent: admin opt-outs, written consent, the ledger, statuses, summary and do-not-call", optOutLedger),
    ]

    /// The core compliance rule: a customer's STOP and unsubscribe outrank every later import of their deal.
    @Sendable static func optOutSurvivesImport(_ s: any Storage, _ f: Fixture) async throws {
        _ = try await s.importDeals(files: [try f.copy("canonical-good-and-bad.csv")], options: f.importOptions())
        let phone = try #require(try await phoneOf(s, deal: "D-10001"))
        let before = try #require(try await s.previewFacts(dealNumber: "D-10001", store: nil, product: "gap"))
        #expect(before.customer.consent.sms && before.customer.consent.email)
        let customer = before.customer.id
        #expect(try await s.setSMSConsent(phone: phone, consent: false, source: "STOP", reference: "SM9", now: f.now) == [customer])
        #expect(try await s.unsubscribeEmail(customerID: customer, source: "link", oneClick: true, now: f.now))
        #expect(try await s.unsubscribeEmail(customerID: -1, source: "link", oneClick: false, now: f.now) == false)
        // The next export changes the deal (the VSC sold) and still says Y to every consent.
        let update = try await s.importDeals(files: [try f.copy("canonical-update.csv")], options: f.importOptions())
        #expect(update.updated == 2)
        let after = try #require(try await s.previewFacts(dealNumber: "D-10001", store: nil, product: "gap"))
        #expect(!after.customer.consent.sms && !after.customer.consent.email)
        let standing = try await s.optOutsInForce(customer: customer).filter(\.stop)
        #expect(Set(standing.map(\.channel)).isSuperset(of: [.sms, .email]))
        // Planning after the import plans no text and no email to them.
        _ = try await s.planCustomers(
            planner: f.planner, now: f.now, customerIDs: [customer], rangeSize: 2_000, transactionSize: 50_000, progress: nil)
        let due = try await s.dueTouches(now: farAhead(f), limit: 10_000, after: nil).filter { $0.customer.id == customer }
        #expect(due.allSatisfy { $0.action == .task })
    }

    @Sendable static func optOutLedger(_ s: any Storage, _ f: Fixture) async throws {
        _ = try await s.importDeals(files: [try f.copy("canonical-good-and-bad.csv")], options: f.importOptions())
        let phone = try #require(try await phoneOf(s, deal: "D-10001"))
        let holders = try await s.customers(holdingAddress: phone)
        #expect(holders.count == 1)
        let stopped = try await s.addOptOut(address: phone, channel: nil, detail: "asked by letter", by: "ada", now: f.now)
        #expect(Set(stopped.map(\.channel)) == [.sms, .phone] && stopped.allSatisfy { $0.stop && $0.source == .admin })
        #expect(Set(try await s.optOutsInForce(includeRestored: false, limit: 500).map(\.channel)) == [.sms, .phone])
        let statuses = try await s.optOutStatus(dealNumber: "D-10001", store: nil)
        #expect(Set(statuses.map(\.channel)) == ["sms", "phone"] && statuses.allSatisfy { $0.status == "stopped" })
        #expect(try await s.optOutStatus(dealNumber: "D-10002", store: nil).isEmpty)
        #expect(try await s.optOutSummary().stopped.values.reduce(0, +) >= 2)
        // Consent dated before the stop cannot lift it: the stop revoked it.
        await #expect(throws: (any Error).self) {
            _ = try await s.recordConsent(
                address: phone, channel: .sms, evidence: "old form", date: LocalDate(year: 2026, month: 11, day: 1)!, by: "ada",
                now: f.at(30))
        }
        // Written consent lifts the texts' stop only.
        let restored = try await s.recordConsent(
            address: phone, channel: .sms, evidence: "signed form", date: LocalDate(year: 2026, month: 11, day: 23)!, by: "ada",
            now: f.at(60))
        #expect(!restored.stop && restored.source == .consentRestore && restored.effectiveOn.map { "\($0)" } == "2026-11-23")
        #expect(try await s.optOutsInForce(includeRestored: false, limit: 500).map(\.channel) == [.phone])
        #expect(try await s.optOutsInForce(includeRestored: true, limit: 500).count == 2)
        let history = try await s.optOutHistory(address: phone)
        // Oldest first: the two stops, then the restore.
        #expect(history.map(\.stop) == [true, true, false])
        // Do-not-call: a number is listed once.
        #expect(try await s.addDoNotCall([phone, "+15125550000"], source: "national", now: f.now) == 2)
        #expect(try await s.addDoNotCall([phone], source: "national", now: f.now) == 0)
    }
}
