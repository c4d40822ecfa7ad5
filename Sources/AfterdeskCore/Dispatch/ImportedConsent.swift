import Foundation

/// A customer's consent on one channel as stored: granted or not, and where and when it came from (nil source and time:
/// the customer row's import-wide `consent_source`, as a new customer has it).
public struct ChannelConsent: Sendable, Equatable {
    public var granted: Bool
    public var source: String?
    public var at: String?

    public init(granted: Bool, source: String? = nil, at: String? = nil) {
        self.granted = granted
        self.source = source
        self.at = at
    }
}

/// Which consent wins when an import brings a flag (docs/compliance.md, "Opt-outs"). The opt-out ledger's latest entry
/// for the customer's address on the channel wins over the DMS's flag: a stop (the customer's STOP or unsubscribe,
/// staff's outcome, an admin, a DMS block) keeps the channel off whatever the flag says; the customer's START or
/// staff's recorded consent keeps it on. Only an address the ledger has nothing for takes the flag. The import applies
/// this rule in its SQL (`BatchWriter.ledgerConsent`, `customerAssignments`), for speed; a test runs both over every
/// combination.
public enum ImportedConsent {
    /// The consent an import gives a channel: `latest` is the source of the ledger's latest entry for the address on
    /// the channel, nil when it has none (or the customer has no such address).
    public static func granted(flag: Bool, latest: OptOutSource?) -> Bool {
        guard let latest else { return flag }
        return latest.restores
    }

    /// A returning customer's consent after the import: a channel whose consent changes takes the import's `source`
    /// and time `at`; one that stays as it was keeps its own source and time (a STOP still names the STOP).
    public static func refreshed(
        _ stored: ChannelConsent, flag: Bool, latest: OptOutSource?, source: String, at: String
    ) -> ChannelConsent {
        let granted = granted(flag: flag, latest: latest)
        if granted == stored.granted { return stored }
        return ChannelConsent(granted: granted, source: source, at: at)
    }
}
