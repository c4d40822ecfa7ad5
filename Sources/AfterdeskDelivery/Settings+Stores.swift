import AfterdeskCore
import Foundation

/// A group's stores each set what is theirs (`afterdesk stores set CODE KEY VALUE`): their own number, sender, CRM
/// and HELP text. The settings file and the environment give the group's values; a store's own wins for its deals.
extension Settings {
    /// What a store may set for itself: how it signs and where its leads go. The rest (the SMTP relay, the SMS account,
    /// the server's limits) is the installation's.
    public static let storeKeys: [String] = [
        "sms_from", "email_from", "store_address", "help_text", "crm_lead_email", "webhook_url", "task_sla_hours",
        "a2p_brand_id", "a2p_campaign_id", "texas_registration",
    ]

    /// Checks a store's value as the settings file's would be checked, and the sending number as E.164.
    public static func checkStoreSetting(_ name: String, _ value: String) throws(SettingsError) {
        guard storeKeys.contains(name), let key = keys.first(where: { $0.file == name }) else {
            throw SettingsError("'\(name)' is not a store's own setting (one of \(storeKeys.joined(separator: ", ")))")
        }
        if name == "sms_from", !isE164(value) {
            throw SettingsError("sms_from: '\(value)' is not a number in E.164 form, such as +18135550123")
        }
        var scratch = Settings()
        do { try key.write(&scratch, value) } catch let e as SettingsError { throw e } catch {
            throw SettingsError("\(name): \(error)")
        }
    }

    /// These settings with a store's own values laid over them; a value that no longer checks is left out (the
    /// group's applies), since it was checked when it was set.
    public func forStore(_ own: [String: String]) -> Settings {
        var s = self
        for name in Settings.storeKeys {
            guard let value = own[name], let key = Settings.keys.first(where: { $0.file == name }) else { continue }
            var trial = s
            if (try? key.write(&trial, value)) != nil { s = trial }
        }
        return s
    }

    static func isE164(_ s: String) -> Bool {
        s.first == "+" && (9...16).contains(s.count) && s.dropFirst().allSatisfy { $0.isASCII && $0.isNumber }
            && s.dropFirst().first != "0"
    }
}
