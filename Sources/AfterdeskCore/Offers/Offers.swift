import Foundation

/// A button on the customer's offer page (`POST /o/{token}`), and the one on the page of a link that no longer works.
public enum OfferAction: String, Sendable, Equatable, CaseIterable, Codable {
    case interested
    case callMe = "call_me"
    case notNow = "not_now"
    /// "Send me a new link", on the page of an expired or void link.
    case newLink = "new_link"

    /// The button's words.
    public var label: String {
        switch self {
        case .interested: return "I'm interested"
        case .callMe: return "Call me"
        case .notNow: return "Not now"
        case .newLink: return "Send me a new link"
        }
    }

    /// True when the press asks a person to get in touch within the hour.
    public var isUrgent: Bool { self == .interested || self == .callMe }
}

/// What happened on an offer link, as the report counts it.
public enum OfferEventKind: String, Sendable, Equatable, CaseIterable, Codable {
    case opened
    case interested
    case callMe = "call_me"
    case notNow = "not_now"
    case newLink = "new_link"

    public init(_ action: OfferAction) {
        switch action {
        case .interested: self = .interested
        case .callMe: self = .callMe
        case .notNow: self = .notNow
        case .newLink: self = .newLink
        }
    }
}

/// The facts that decide whether an offer link still works, read when it is opened.
public struct OfferLinkFacts: Sendable, Equatable {
    public var expiresAt: Date
    /// The product was bought since (re-import, task closed as sold, after-sale contract).
    public var productBought: Bool
    public var dealUnwound: Bool
    /// The customer opted out of the channel the link came by, or asked staff to stop all contact.
    public var optedOut: Bool
    /// Follow-up of the product stopped for another reason (vehicle sold, loan paid off, not interested).
    public var stoppedBecause: String?

    public init(
        expiresAt: Date, productBought: Bool = false, dealUnwound: Bool = false, optedOut: Bool = false, stoppedBecause: String? = nil
    ) {
        self.expiresAt = expiresAt
        self.productBought = productBought
        self.dealUnwound = dealUnwound
        self.optedOut = optedOut
        self.stoppedBecause = stoppedBecause
    }
}

/// Whether an offer link works: live, expired, or void with the reason (docs/offers.md).
public enum OfferLinkState: Sendable, Equatable {
    case live
    case expired
    case void(reason: String)

    public static func of(_ f: OfferLinkFacts, now: Date) -> OfferLinkState {
        if f.productBought { return .void(reason: "bought") }
        if f.optedOut { return .void(reason: "opted_out") }
        if f.dealUnwound { return .void(reason: "unwound") }
        if f.stoppedBecause != nil { return .void(reason: "stopped") }
        if now >= f.expiresAt { return .expired }
        return .live
    }

    public var isLive: Bool { self == .live }
}

/// When an offer link stops working: when the product's post-sale window closes (the end of its last day in the
/// dealership's calendar), or `maxDays` after it was sent, whichever is first.
public enum OfferExpiry {
    public static let maxDays = 60

    public static func expiresAt(sentAt: Date, eligibleUntil: LocalDate?, zone: TimeZone) -> Date {
        let cap = sentAt.addingTimeInterval(Double(maxDays) * 86_400)
        guard let until = eligibleUntil else { return cap }
        let windowEnd = LocalClock.instant(on: until.adding(days: 1), minutes: 0, zone: zone)
        return min(cap, windowEnd)
    }
}

/// The store's opening hours, for the clock of an urgent task: "within an hour" means an hour the store is open.
public struct StoreHours: Sendable, Equatable, CustomStringConvertible {
    /// Minutes after local midnight.
    public var open: Int
    public var close: Int
    /// Days the store is closed: 0 is Sunday, 6 Saturday.
    public var closedWeekdays: Set<Int>

    public static let weekdayNames = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]

    /// 9:00 to 19:00, closed on Sundays.
    public static let standard = StoreHours(open: 9 * 60, close: 19 * 60, closedWeekdays: [0])!

    public init?(open: Int, close: Int, closedWeekdays: Set<Int>) {
        guard open >= 0, close <= 24 * 60, open < close, closedWeekdays.allSatisfy({ (0...6).contains($0) }), closedWeekdays.count < 7
        else { return nil }
        self.open = open
        self.close = close
        self.closedWeekdays = closedWeekdays
    }

    /// "09:00-19:00" (24-hour clock), or nil.
    public static func parseRange(_ text: String) -> (open: Int, close: Int)? {
        let parts = text.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let a = minutes(parts[0]), let b = minutes(parts[1]) else { return nil }
        return (a, b)
    }

    static func minutes(_ hm: String) -> Int? {
        let p = hm.split(separator: ":")
        guard p.count == 2, p[1].count == 2, let h = Int(p[0]), let m = Int(p[1]), (0...24).contains(h), (0...59).contains(m),
            h * 60 + m <= 24 * 60
        else { return nil }
        return h * 60 + m
    }

    public var description: String {
        func hm(_ m: Int) -> String { String(format: "%02d:%02d", m / 60, m % 60) }
        return "\(hm(open))-\(hm(close))"
    }

    /// 0 for Sunday through 6 for Saturday (1970-01-01 was a Thursday).
    public static func weekday(_ d: LocalDate) -> Int { ((d.daysSinceEpoch + 4) % 7 + 7) % 7 }

    public func isOpen(on d: LocalDate) -> Bool { !closedWeekdays.contains(Self.weekday(d)) }

    /// The instant `minutes` of opening hours after `start`, on the store's clock: a press at 18:30 with an hour to
    /// answer is due at 9:30 the next open day.
    public func deadline(after start: Date, minutes: Int, zone: TimeZone) -> Date {
        var left = max(0, minutes)
        var day = LocalDate(start, in: zone)
        var from = LocalClock.minutesAfterMidnight(start, zone)
        // Enough days for the open ones needed when only one day a week is open, and a week of closed days.
        let openDaysNeeded = left / max(1, close - open) + 1
        for _ in 0..<(openDaysNeeded * 7 + 8) {
            if isOpen(on: day) {
                let begin = max(from, open)
                if begin < close {
                    let available = close - begin
                    if left <= available { return LocalClock.instant(on: day, minutes: begin + left, zone: zone) }
                    left -= available
                }
            }
            day = day.adding(days: 1)
            from = 0
        }
        return LocalClock.instant(on: day, minutes: open, zone: zone)
    }
}

/// What customers did with their offer links, counted per link, for the report: links sent, then the links opened at
/// least once and the links with each kind of press.
public struct OfferFunnel: Sendable, Equatable, Codable {
    public var linksSent = 0
    public var declinesReached = 0
    public var opened = 0
    public var interested = 0
    public var callMe = 0
    public var notNow = 0
    public var newLink = 0
    public init() {}
    enum CodingKeys: String, CodingKey {
        case opened, interested
        case linksSent = "links_sent"
        case declinesReached = "declines_reached"
        case callMe = "call_me"
        case notNow = "not_now"
        case newLink = "new_link"
    }
}

/// Offer links in stored message text: once a message is sent, its link's token is blanked in the outbox, so the
/// database keeps tokens only as hashes (the customer's copy of the message keeps the link).
public enum OfferLinkText {
    public static let tokenLength = 22
    public static let redaction = "[link]"

    /// A byte of a token: base64url (`A`–`Z`, `a`–`z`, `0`–`9`, `-`, `_`).
    public static func isTokenByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F
    }

    /// `text` with every `/o/` followed by exactly a token's characters replaced by `/o/[link]`.
    public static func redacted(_ text: String) -> String {
        let b = Array(text.utf8)
        let marker: [UInt8] = Array("/o/".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            if i + 3 + tokenLength <= b.count, b[i] == marker[0], b[i + 1] == marker[1], b[i + 2] == marker[2] {
                let start = i + 3
                let end = start + tokenLength
                if b[start..<end].allSatisfy(isTokenByte), end == b.count || !isTokenByte(b[end]) {
                    out.append(contentsOf: marker)
                    out.append(contentsOf: Array(redaction.utf8))
                    i = end
                    continue
                }
            }
            out.append(b[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
