import AfterdeskCore
import AfterdeskStorage
import Foundation

/// The import and the opt-out ledger (docs/compliance.md, "Opt-outs"): a consent flag may grant a channel that has
/// no opt-out, never clear one, and a DMS block is an opt-out entry no later export lifts. The rule is Core's
/// `ImportedConsent`; this SQL is its fast application, checked against it over every combination
/// (`ImportedConsentAgreementTests`).
extension BatchWriter {
    /// The consent a customer row takes on `channel`: what the ledger says of `address` when it says anything (stopped:
    /// off; restored by the customer's START or staff's recorded consent: on), else the import's `flag`.
    static func ledgerConsent(_ channel: ContactChannel, address: String, flag: String) -> String {
        "COALESCE((SELECT NOT stopped FROM opt_out_state WHERE address = \(address) AND channel = '\(channel.rawValue)'), \(flag))"
    }

    /// The consent parameters of a new customer, each read through the ledger: a STOP from a number not imported yet
    /// applies when the number arrives, in the bulk import too. The upsert's `excluded.consent_*` are these values.
    static var customerInsert: String {
        typealias C = CustomerParameter
        let also: [(column: String, value: C)] = [("created_at", .now), ("updated_at", .now)]
        let columns = C.allCases.map(\.column) + also.map(\.column)
        let values =
            C.allCases.map { p -> String in
                switch p {
                case .consentSMS: ledgerConsent(.sms, address: C.phone.placeholder, flag: p.placeholder)
                case .consentEmail: ledgerConsent(.email, address: "lower(\(C.email.placeholder))", flag: p.placeholder)
                case .consentPhone: ledgerConsent(.phone, address: C.phone.placeholder, flag: p.placeholder)
                default: p.placeholder
                }
            } + also.map(\.value.placeholder)
        return "INSERT INTO customers (\(columns.joined(separator: ", "))) VALUES (\(values.joined(separator: ", ")))"
    }

    /// The SET clause that refreshes a returning customer; `value(p)` is how parameter p is written (`?N` in the
    /// UPDATE, `excluded.column` in the upsert). Consent goes through the ledger (`throughLedger`, or already in
    /// `excluded`), with the customer's new phone and email. A channel whose consent changes records this import as
    /// its own source; the others keep theirs.
    static func customerAssignments(_ value: (CustomerParameter) -> String, throughLedger: Bool) -> String {
        func consent(_ channel: ContactChannel, _ p: CustomerParameter) -> String {
            let address = channel == .email ? "lower(\(value(.email)))" : value(.phone)
            let v = throughLedger ? ledgerConsent(channel, address: address, flag: value(p)) : value(p)
            let c = channel.rawValue
            return """
                consent_\(c)_source = CASE WHEN consent_\(c) = \(v) THEN consent_\(c)_source ELSE \(value(.consentSource)) END,
                consent_\(c)_at = CASE WHEN consent_\(c) = \(v) THEN consent_\(c)_at ELSE \(value(.now)) END,
                consent_\(c) = \(v)
                """
        }
        return """
            first_name = \(value(.firstName)), last_name = \(value(.lastName)), email = \(value(.email)), phone = \(value(.phone)),
            state = \(value(.state)), zip = \(value(.zip)), customer_number = COALESCE(\(value(.customerNumber)), customer_number),
            \(consent(.sms, .consentSMS)), \(consent(.email, .consentEmail)), \(consent(.phone, .consentPhone)),
            last_deal_on = \(value(.lastDealOn)), updated_at = \(value(.now))
            """
    }

    /// ?1 address, ?2 channel, ?3 detail (`Block Phone = Y`), ?4 reference (file and line), ?5 who (the import), ?6 now.
    /// Nothing when the address is already stopped: re-running an import appends nothing.
    static let insertBlockSQL = """
        INSERT INTO opt_outs (address, channel, action, source, detail, reference, recorded_by, at)
        SELECT ?1, ?2, 'stop', 'dms_block', ?3, ?4, ?5, ?6
        WHERE NOT EXISTS (SELECT 1 FROM opt_out_state WHERE address = ?1 AND channel = ?2 AND stopped)
        """

    /// The row's DMS blocks, into the ledger. Other customers holding a blocked address are held back by the gate,
    /// which reads the ledger for every send and task; this row's customer takes it in its consent at once.
    func recordBlocks(_ deal: PreparedDeal) throws {
        guard let blocks = deal.record.contactBlocks else { return }
        let s = insertBlock
        for b in blocks {
            s.bind(1, b.address)
            s.bind(2, b.channel.rawValue)
            s.bind(3, "\(b.field) = Y")
            s.bind(4, deal.consentSource)
            s.bind(5, "import \(file)")
            s.bind(6, importer.nowText)
            try s.run()
        }
    }
}
