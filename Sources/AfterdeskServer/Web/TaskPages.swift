import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation

/// The models of the queue and of one task (TaskPagesController fills them).
struct QueuePage: PageModel {
    static let template = "tasks"
    struct Row: Sendable, Equatable {
        var href: String
        var customer: String
        var vehicle: String?
        var products: String
        var why: String
        var due: String
        var overdue: Bool
        var assignee: String?
    }
    struct Section: Sendable, Equatable {
        var title: String
        var id: String
        var rows: [Row]
        var count: Int
    }
    var layout: Layout
    var sections: [Section]
    var empty: Bool
}

struct TaskPage: PageModel {
    static let template = "task"
    struct Item: Sendable, Equatable {
        var product: String
        var code: String
        var dealNumber: String
        var quoted: String?
        var quotedPlain: String?
        var reason: String?
        var why: String
        var points: [String]
    }
    struct Message: Sendable, Equatable {
        var at: String
        var inbound: Bool
        var channel: String
        var text: String
        var status: String
    }
    struct TextBox: Sendable, Equatable {
        var nonce: String
        var draft: String
        var presets: [Choice]
        var error: String?
        var note: String?
    }
    struct Choice: Sendable, Equatable {
        var value: String
        var label: String
    }
    var layout: Layout
    var id: Int64
    var customer: String
    var tel: String?
    /// The compose box, when the customer may be texted from this task.
    var textBox: TextBox?
    var phone: String?
    var noSMSConsent: Bool
    var email: String?
    var vehicle: String
    var vinTail: String
    var items: [Item]
    var severalItems: Bool
    var products: [Choice]
    var soldPrice: String?
    var history: [Message]
    var noHistory: Bool
    var open: Bool
    var overdue: Bool
    var due: String
    /// When the customer may be called today, under Afterdesk's window and their states' rules, in words.
    var callingWindow: String? = nil
    var outcome: String?
    var outcomes: [Choice]
    var error: String?
    var assignee: String?
}

/// Words and dates for people, in the store's time zone.
struct PeopleText {
    let zone: TimeZone
    private let short: DateFormatter
    private let withYear: DateFormatter

    init(zone: TimeZone) {
        self.zone = zone
        func formatter(_ format: String) -> DateFormatter {
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = zone
            f.dateFormat = format
            return f
        }
        short = formatter("MMM d, h:mm a")
        withYear = formatter("MMM d, yyyy, h:mm a")
    }

    func dateTime(_ iso: String) -> String { Instant.parse(iso).map(short.string(from:)) ?? iso }
    func dateTime(_ date: Date) -> String { short.string(from: date) }

    static let outcomeLabels: [TaskOutcome: String] = [
        .sold: "Sold", .booked: "Booked an appointment", .notInterested: "Not interested", .noAnswer: "No answer",
        .wrongNumber: "Wrong number", .stopContacting: "Stop contacting", .wontDo: "Won't do",
    ]

    /// What was recorded and what happens next, after an outcome (the queue's message).
    static func next(_ outcome: TaskOutcome) -> String {
        let what = "Recorded: \((outcomeLabels[outcome] ?? outcome.rawValue).lowercased())."
        switch outcome {
        case .sold: return what + " Follow-up of that product stops; the sale counts in the margin report."
        case .booked: return what + " Follow-up goes on until the sale is recorded."
        case .noAnswer: return what + " The plan's next touch stays planned."
        case .notInterested: return what + " Follow-up of that product stops."
        case .wrongNumber: return what + " Texts to that number stop; update the number in the DMS."
        case .stopContacting: return what + " Every message and call to this customer stops."
        case .wontDo: return what + " The customer's plan goes on."
        }
    }

    /// "+14075550123" as "(407) 555-0123"; other numbers as stored.
    static func phone(_ e164: String) -> String {
        let digits = e164.filter { $0.isASCII && $0.isNumber }
        guard e164.hasPrefix("+1"), digits.count == 11 else { return e164 }
        let d = Array(digits.dropFirst())
        return "(\(String(d[0..<3]))) \(String(d[3..<6]))-\(String(d[6..<10]))"
    }

    /// A date and time with the year, for plans that run over years.
    func dateTimeWithYear(_ iso: String) -> String { Instant.parse(iso).map(withYear.string(from:)) ?? iso }
    func dateTimeWithYear(_ date: Date) -> String { withYear.string(from: date) }

    /// The digits of an E.164 number for `tel:` and `sms:` links (nothing else can get into the link).
    static func dialable(_ phone: String?) -> String? {
        guard let phone else { return nil }
        let kept = phone.filter { $0 == "+" || $0.isASCII && $0.isNumber }
        return kept.count >= 7 ? kept : nil
    }
}
