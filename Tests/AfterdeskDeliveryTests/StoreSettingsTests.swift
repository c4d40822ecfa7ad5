import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import Foundation
import Testing

/// A store's own settings over the group's (docs/settings.md, "A dealer group").
@Suite struct StoreSettingsTests {
    var group: Settings {
        var s = Settings()
        s.smsFrom = "+15125550100"
        s.emailFrom = "Lakeside Group <hello@lakeside.example>"
        s.crmLeadEmail = "leads@crm.example"
        s.smtpPassword = "secret"
        return s
    }

    @Test func aStoresOwnValueWinsAndTheRestIsTheGroups() {
        let tampa = group.forStore(["sms_from": "+18135550100", "help_text": "Bayshore Kia: reply STOP to opt out.", "task_sla_hours": "8"])
        #expect(tampa.smsFrom == "+18135550100" && tampa.helpText == "Bayshore Kia: reply STOP to opt out." && tampa.taskSLAHours == 8)
        #expect(tampa.emailFrom == group.emailFrom && tampa.crmLeadEmail == group.crmLeadEmail && tampa.smtpPassword == "secret")
        #expect(group.forStore([:]) == group)
    }

    /// What is the installation's cannot be a store's, even if it was written into the database by hand; a value that no
    /// longer checks leaves the group's in force.
    @Test func onlyAStoresKeysAndValuesThatCheckAreLaidOver() {
        let s = group.forStore(["smtp_password": "other", "public_url": "https://evil.example", "task_sla_hours": "soon"])
        #expect(s == group)
    }

    @Test func aStoresValueIsCheckedAsTheFilesWouldBe() throws {
        try Settings.checkStoreSetting("sms_from", "+18135550100")
        try Settings.checkStoreSetting("texas_registration", "consent-only")
        for (key, value, says) in [
            ("sms_from", "813-555-0100", "is not a number in E.164 form"), ("sms_from", "+0123456789", "E.164"),
            ("task_sla_hours", "0", "is not a positive whole number"),
            ("texas_registration", "maybe", "is not customer-exemption"), ("smtp_url", "smtp://x", "is not a store's own setting"),
        ] {
            #expect {
                try Settings.checkStoreSetting(key, value)
            } throws: { error in
                (error as? SettingsError)?.description.contains(says) == true
            }
        }
    }

    /// Every store key is a settings key, so `stores set` and the settings file speak of the same thing.
    @Test func everyStoreKeyIsASettingsKey() {
        let file = Set(Settings.keys.map(\.file))
        #expect(Settings.storeKeys.allSatisfy(file.contains))
    }

    /// The sender a store's message goes out as rides in its headers under an internal name, read back as it was.
    @Test func theSenderIsKeptWithTheMessage() throws {
        let headers = try #require(
            OutboxSender.headers(["List-Unsubscribe": "<https://x.example/u>"], sender: "Bayshore Kia <hi@bay.example>"))
        var m = OutboxMessage(
            id: 1, idempotencyKey: "k", channel: .email, recipient: "a@b.example", subject: nil, body: "", html: nil, headers: headers,
            status: .queued, attempts: 0, lastError: nil, providerID: nil, createdAt: Date(timeIntervalSince1970: 0), sentAt: nil,
            customerID: nil)
        #expect(m.sender == "Bayshore Kia <hi@bay.example>")
        m.headers = "{\"List-Unsubscribe\":\"<https://x.example/u>\"}"
        #expect(m.sender == nil)
        m.headers = "not json \(OutboxSender.header)"
        #expect(m.sender == nil)
        #expect(OutboxSender.headers(sender: nil) == nil)
    }

    /// An import naming a store the group menu does not is told so, once per store; a single store's menu says nothing.
    @Test func anImportOfAStoreTheMenuDoesNotNameWarns() throws {
        let group = try MenuLoader.loadMenu(
            yaml: DefaultMenus.menuYAML + "\nstores:\n  - code: tampa\n  - code: tulsa\n", file: "group.yaml")
        var summary = ImportSummary()
        summary.storesTouched = ["tampa", "Tampa", "main"]
        summary.warnOfStoresNotIn(group)
        #expect(
            summary.warnings.count == 2 && summary.warnings[0].hasPrefix("store 'Tampa' is not one of the menu's stores (tampa, tulsa)"))
        var single = ImportSummary()
        single.storesTouched = ["Tampa"]
        single.warnOfStoresNotIn(try MenuLoader.loadMenu(yaml: DefaultMenus.menuYAML, file: "default.yaml"))
        #expect(single.warnings.isEmpty)
    }
}
