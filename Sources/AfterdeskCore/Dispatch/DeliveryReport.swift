import Foundation

/// What Afterdesk keeps of an SMS provider's delivery report (Twilio's status callback): a status Twilio documents
/// and a numeric error code, nothing else. The callback is signed, but its fields are still the provider's text, and a
/// stored status or error must never carry a phone number or an address (issue 23: both were stored as sent).
public struct DeliveryReport: Sendable, Equatable {
    /// Twilio's message statuses (`MessageStatus`).
    public enum Status: String, Sendable, CaseIterable {
        case queued, sending, sent, delivered, undelivered, failed, receiving, received, accepted, scheduled, read, canceled

        /// The outbox status a report moves a sent text to: delivered, undelivered, or nil (no change).
        public var outboxStatus: String? {
            switch self {
            case .delivered, .read: return "delivered"
            case .undelivered, .failed: return "undelivered"
            default: return nil
            }
        }
    }

    /// The most digits an error code keeps (Twilio's are five).
    public static let maxCodeDigits = 8

    /// Nil when the report's status is not one of Twilio's.
    public var status: Status?
    /// Digits only, at most `maxCodeDigits`; nil when the report had none or something else.
    public var errorCode: String?

    /// Reads the callback's `MessageStatus` and `ErrorCode` as sent: anything else than a known status or a short run
    /// of ASCII digits is dropped.
    public init(status: String?, errorCode: String?) {
        self.status = status.flatMap { Status(rawValue: $0.trimmingCharacters(in: .whitespaces).lowercased()) }
        let code = errorCode?.trimmingCharacters(in: .whitespaces) ?? ""
        let digits = !code.isEmpty && code.utf8.count <= Self.maxCodeDigits && code.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
        self.errorCode = digits ? code : nil
    }

    /// The error as stored in the outbox, passed through the redaction every provider error gets.
    public var storedError: String? { errorCode.map { Redact.contactData(in: "provider error \($0)") } }
}
