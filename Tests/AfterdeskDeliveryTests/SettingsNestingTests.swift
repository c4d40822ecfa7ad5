import AfterdeskDelivery
import Foundation
import Testing

/// A settings file nested past what a `key: value` file needs is refused with an error, not a crash (libyaml stops at
/// 1,000 levels before Yams composes it).
@Suite struct SettingsNestingTests {
    @Test func aSettingsFileNestedTooDeepIsRefused() {
        let flow = "public_url: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n"
        let block = String(repeating: "- ", count: 50_000) + "x\n"
        for yaml in [flow, block] {
            #expect(throws: SettingsError.self) { try Settings.load(yaml: yaml, environment: [:]) }
        }
    }
}
