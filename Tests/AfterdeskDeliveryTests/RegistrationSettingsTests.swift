import Foundation
import Testing

@testable import AfterdeskDelivery

/// Issue 24, item 6: the carrier registration and the Texas basis a store texts under are settings, checked when read
/// and shown to admins, with what is missing named.
@Suite struct RegistrationSettingsTests {
    @Test func eachTexasBasisIsReadAndAnythingElseIsRefusedWithItsLine() throws {
        let cases: [(String, TextingRegistration.TexasBasis)] = [
            ("customer-exemption", .customerExemption), ("consent-only", .consentOnly),
            ("'registered: 2025-0413'", .registered("2025-0413")),
            ("'exemption: §302.059 (motor vehicle dealer)'", .otherExemption("§302.059 (motor vehicle dealer)")),
        ]
        for (text, basis) in cases {
            let s = try Settings.load(yaml: "texas_registration: \(text)\n", environment: [:])
            #expect(s.registration.texas == basis)
        }
        #expect(throws: SettingsError.self) {
            try Settings.load(yaml: "sms_from: '+15125550100'\ntexas_registration: maybe\n", environment: [:])
        }
        do {
            _ = try Settings.load(yaml: "sms_from: '+15125550100'\ntexas_registration: 'registered: '\n", environment: [:])
            Issue.record("an empty registration number was accepted")
        } catch let e as SettingsError {
            #expect(e.description.contains("afterdesk.yaml:2") && e.description.contains("texas_registration"), "\(e)")
        }
        #expect(throws: SettingsError.self) { try Settings.load(yaml: "a2p_brand_id: 'B 1; drop'\n", environment: [:]) }
    }

    @Test func theAdminLinesNameWhatIsMissing() throws {
        var r = TextingRegistration()
        #expect(r.lines(texasStore: true).count == 2)
        #expect(r.lines(texasStore: true).allSatisfy { $0.contains("not recorded") })
        #expect(r.lines(texasStore: false).count == 1)
        r = try Settings.load(
            yaml: "a2p_brand_id: BA1\na2p_campaign_id: CX9\n", environment: ["AFTERDESK_TEXAS_REGISTRATION": "consent-only"]
        ).registration
        #expect(
            r.lines(texasStore: true) == [
                "A2P 10DLC: brand BA1, campaign CX9.", "Texas: texts only customers who gave consent (no registration needed).",
            ])
    }
}
