import AfterdeskCore
import AfterdeskDelivery
import Foundation
import Testing

/// What a message and a task cost (docs/settings.md): the report's message costs.
@Suite struct SettingsCostsTests {
    @Test func costsAreDollarsWithFourDecimalsFromTheFileOrTheEnvironment() throws {
        #expect(try Settings.load(yaml: nil, environment: [:]).messageCosts == .standard)
        let s = try Settings.load(
            yaml: "cost_per_sms: 0.0083\ncost_per_task: 3.50\n", environment: ["AFTERDESK_COST_PER_EMAIL": "$0.001"])
        #expect(s.messageCosts == MessageCosts(smsUnits: 83, emailUnits: 10, taskUnits: 35_000))
        for bad in ["0.00001", "-1", "free", "20000"] {
            #expect(throws: SettingsError.self) { try Settings.load(yaml: "cost_per_sms: \"\(bad)\"\n", environment: [:]) }
        }
    }
}
