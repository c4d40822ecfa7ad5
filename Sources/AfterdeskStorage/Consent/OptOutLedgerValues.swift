import AfterdeskCore
import Foundation

/// An entry to append to the opt-out ledger (docs/compliance.md, "Opt-outs").
public struct OptOutRecord: Sendable, Equatable {
    public var address: String
    public var channel: ContactChannel
    public var source: OptOutSource
    public var detail: String
    public var reference: String?
    public var recordedBy: String
    public var customerID: Int64?
    public var effectiveOn: LocalDate?

    public init(
        address: String, channel: ContactChannel, source: OptOutSource, detail: String, reference: String? = nil,
        recordedBy: String, customerID: Int64? = nil, effectiveOn: LocalDate? = nil
    ) {
        self.address = address
        self.channel = channel
        self.source = source
        self.detail = detail
        self.reference = reference
        self.recordedBy = recordedBy
        self.customerID = customerID
        self.effectiveOn = effectiveOn
    }
}

extension OptOutRecord {
    /// The ledger's entry for an inbound text's keyword: a STOP always; a START only the first time its message id is
    /// seen (`fresh`); nothing for HELP or no keyword. It keeps the keyword's word and the message id.
    public static func ofInbound(
        keyword: InboundKeyword?, fresh: Bool, body: String, phone: String, providerID: String, customerID: Int64?
    ) -> OptOutRecord? {
        let consent: Bool? =
            switch keyword {
            case .stop: false
            case .start: fresh ? true : nil
            case .help, nil: nil
            }
        guard let consent else { return nil }
        let word =
            consent
            ? (InboundKeyword.startWords.sorted().first { body.uppercased().contains($0) } ?? "START")
            : (InboundKeyword.revocation(in: body) ?? "STOP")
        return OptOutRecord(
            address: phone, channel: .sms, source: consent ? .start : .keyword, detail: word, reference: providerID,
            recordedBy: "customer", customerID: customerID)
    }

    /// An admin's opt-out, checked: the address normalized and the channels it stops (every channel of the address
    /// unless `channel` says one, which must be one it has).
    public static func checkedOptOut(address text: String, channel: ContactChannel?) throws -> (
        address: String, channels: [ContactChannel]
    ) {
        guard let address = ContactAddress.normalize(text) else { throw StoreError("not a US phone number or an email address") }
        let channels = channel.map { [$0] } ?? ContactAddress.channels(of: address)
        guard channels.allSatisfy(ContactAddress.channels(of: address).contains) else {
            throw StoreError("an email address has no \(channel?.rawValue ?? "") channel; a phone number has sms and phone")
        }
        return (address, channels)
    }

    /// A consent staff records, checked before anything is read: the address normalized, the channel one it has,
    /// evidence of at least three characters (returned trimmed), and a date no later than tomorrow (UTC).
    public static func checkedConsent(
        address text: String, channel: ContactChannel, evidence: String, date: LocalDate, now: Date
    ) throws -> (address: String, evidence: String) {
        guard let address = ContactAddress.normalize(text) else { throw StoreError("not a US phone number or an email address") }
        guard ContactAddress.channels(of: address).contains(channel) else {
            throw StoreError(
                "\(channel.rawValue) does not apply to \(ContactAddress.isEmail(address) ? "an email address" : "a phone number")")
        }
        let words = evidence.trimmingCharacters(in: .whitespacesAndNewlines)
        guard words.count >= 3 else { throw StoreError("the evidence of consent is required: say what the customer signed or wrote") }
        guard date <= LocalDate(now, in: .gmt).adding(days: 1) else { throw StoreError("the consent's date \(date) is in the future") }
        return (address, words)
    }
}
