import Foundation

/// A way of reaching a customer that an opt-out stops (docs/compliance.md, "Opt-outs").
public enum ContactChannel: String, Sendable, Equatable, Codable, CaseIterable {
    case sms, email, phone

    /// As a sentence names it.
    public var label: String {
        switch self {
        case .sms: "SMS"
        case .email: "Email"
        case .phone: "Calls"
        }
    }
}

/// What recorded an entry of the opt-out ledger. Only `start` and `consentRestore` restore a channel.
public enum OptOutSource: String, Sendable, Equatable, Codable, CaseIterable {
    /// A STOP word or phrase in an inbound text (the reference is the message id).
    case keyword
    /// The button of the email's unsubscribe page.
    case unsubscribeLink = "unsubscribe_link"
    /// RFC 8058 one-click unsubscribe from the mail client.
    case oneClick = "one_click"
    /// A task closed as "stop contacting" or "wrong number".
    case staffOutcome = "staff_outcome"
    /// A DMS export's `Block Phone` or `Block Email` = Y (the reference is the file and line).
    case dmsBlock = "dms_block"
    /// Added by an admin (`afterdesk opt-outs add`, /admin/opt-outs).
    case admin
    /// The customer's own START/UNSTOP, the first time its message id was seen.
    case start
    /// Consent recorded by staff with its evidence (`afterdesk consent add`, /admin/opt-outs).
    case consentRestore = "consent_restore"

    public var restores: Bool { self == .start || self == .consentRestore }
}

/// The address an opt-out is kept under: an E.164 phone number, a lower-cased email address, or a customer (for "stop
/// all contact").
public enum ContactAddress {
    /// The ledger's form of a phone number or email address typed by a person or read from a file; nil when it is
    /// neither.
    public static func normalize(_ text: String) -> String? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.contains("@") {
            guard case .success(let email) = Email.normalize(t) else { return nil }
            return email.lowercased()
        }
        return Phone.e164(t)
    }

    /// Whether a normalised address is an email address.
    public static func isEmail(_ address: String) -> Bool { address.contains("@") }

    /// The channels an address can be stopped on: a phone's texts and calls, an email's messages.
    public static func channels(of address: String) -> [ContactChannel] { isEmail(address) ? [.email] : [.sms, .phone] }

    /// The key of a customer's "stop all contact".
    public static func customer(_ id: Int64) -> String { "customer:\(id)" }
}

/// One entry of the opt-out ledger, as stored.
public struct OptOutEntry: Sendable, Equatable, Codable {
    public var id: Int64
    public var address: String
    public var channel: ContactChannel
    /// True for a stop, false for a restore.
    public var stop: Bool
    public var source: OptOutSource
    public var detail: String
    public var reference: String?
    public var recordedBy: String
    public var customerID: Int64?
    /// A consent restore: the date of its evidence.
    public var effectiveOn: String?
    /// When it was recorded (UTC, ISO 8601).
    public var at: String

    enum CodingKeys: String, CodingKey {
        case id, address, channel, stop, source, detail, reference
        case recordedBy = "recorded_by"
        case customerID = "customer_id"
        case effectiveOn = "effective_on"
        case at
    }

    public init(
        id: Int64, address: String, channel: ContactChannel, stop: Bool, source: OptOutSource, detail: String,
        reference: String?, recordedBy: String, customerID: Int64?, effectiveOn: String?, at: String
    ) {
        self.id = id
        self.address = address
        self.channel = channel
        self.stop = stop
        self.source = source
        self.detail = detail
        self.reference = reference
        self.recordedBy = recordedBy
        self.customerID = customerID
        self.effectiveOn = effectiveOn
        self.at = at
    }

    /// The day it was recorded, in `timeZone`.
    public func day(in timeZone: TimeZone) -> String {
        guard let instant = Instant.parse(at) else { return String(at.prefix(10)) }
        return LocalDate(instant, in: timeZone).description
    }

    /// Who or what recorded it, as `explain` and the pages say it: "by the customer (STOP)".
    public var byWhom: String {
        switch source {
        case .keyword: "by the customer (\(detail))"
        case .unsubscribeLink: "by the customer (unsubscribe link)"
        case .oneClick: "by the customer (one-click unsubscribe)"
        case .staffOutcome: "by staff (\(recordedBy): \(detail))"
        case .dmsBlock: "by the DMS (\(detail)\(reference.map { ", \($0)" } ?? ""))"
        case .admin: "by \(recordedBy) (admin: \(detail))"
        case .start: "by the customer (\(detail))"
        case .consentRestore: "by \(recordedBy) (consent recorded: \(detail)\(effectiveOn.map { ", dated \($0)" } ?? ""))"
        }
    }

    /// "SMS stopped on 2026-12-04 by the customer (STOP)".
    public func sentence(in timeZone: TimeZone) -> String {
        "\(channel.label) \(stop ? "stopped" : "restored") on \(day(in: timeZone)) \(byWhom)"
    }
}

/// What stands now on one channel of a customer, as `explain`, the API's deal and the pages show it. It names the kind
/// of address (phone, email, customer), never the address itself.
public struct OptOutStatus: Codable, Sendable, Equatable {
    public var channel: String
    /// `phone`, `email`, or `customer` (staff's "stop all contact").
    public var addressKind: String
    /// `stopped` or `restored`.
    public var status: String
    public var on: String
    public var source: String
    public var by: String
    public var sentence: String

    enum CodingKeys: String, CodingKey {
        case channel
        case addressKind = "address_kind"
        case status, on, source, by, sentence
    }

    public init(_ e: OptOutEntry, timeZone: TimeZone) {
        channel = e.channel.rawValue
        addressKind = e.address.hasPrefix("customer:") ? "customer" : ContactAddress.isEmail(e.address) ? "email" : "phone"
        status = e.stop ? "stopped" : "restored"
        on = e.day(in: timeZone)
        source = e.source.rawValue
        by = e.byWhom
        sentence = e.sentence(in: timeZone)
    }
}
