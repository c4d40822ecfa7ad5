import AfterdeskCore
import Foundation

/// What a message and a task cost the store, for the report's net to the store (docs/settings.md): dollars with up to
/// four decimals.
extension Settings {
    static let costKeys: [Key] = [
        key("cost_per_sms", "dollars an SMS segment costs, up to four decimals (default 0.0079)") {
            $0.messageCosts.smsUnits = try cost($1, "cost_per_sms")
        },
        key("cost_per_email", "dollars an email costs, up to four decimals (default 0.0001)") {
            $0.messageCosts.emailUnits = try cost($1, "cost_per_email")
        },
        key("cost_per_task", "dollars a follow-up task costs in a person's time, up to four decimals (default 2.00)") {
            $0.messageCosts.taskUnits = try cost($1, "cost_per_task")
        },
    ]

    /// Dollars with up to four decimals, in hundredths of a cent; at most $10,000.
    static func cost(_ text: String, _ name: String) throws -> Int64 {
        guard let units = FixedPoint.parse(text, decimals: 4), units <= 100_000_000 else {
            throw SettingsError("\(name): '\(text)' is not an amount such as 0.0079 (dollars, up to four decimals)")
        }
        return units
    }
}
