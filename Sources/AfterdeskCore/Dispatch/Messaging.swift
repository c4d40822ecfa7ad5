import Foundation

/// What an inbound SMS asks for (DESIGN.md, Compliance): opt-out words stop all SMS at once, START/UNSTOP opt back
/// in, HELP gets the dealership's help text. The whole message must be the word, in any case, spaces around it.
public enum InboundKeyword: String, Sendable, Equatable {
    case stop, start, help

    public static let stopWords: Set<String> = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"]
    public static let startWords: Set<String> = ["START", "UNSTOP"]
    public static let helpWords: Set<String> = ["HELP"]

    /// The keyword, or nil for an ordinary reply (which becomes a task for a person).
    public static func classify(_ body: String) -> InboundKeyword? {
        let word = body.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        if stopWords.contains(word) { return .stop }
        if startWords.contains(word) { return .start }
        if helpWords.contains(word) { return .help }
        return nil
    }
}

/// How an SMS body travels: GSM 03.38 7-bit when every character is in its alphabet, else UCS-2; and how many
/// segments that makes (160/153 septets, or 70/67 UTF-16 units, per single/concatenated segment).
public struct SMSEncoding: Sendable, Equatable {
    public enum Alphabet: String, Sendable, Equatable { case gsm7 = "GSM-7", ucs2 = "UCS-2" }
    public var alphabet: Alphabet
    /// Septets for GSM-7 (extension characters count two), UTF-16 code units for UCS-2.
    public var units: Int
    public var segments: Int

    static let basic: Set<Character> = Set(
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
    static let extended: Set<Character> = Set("^{}\\[~]|€\u{0C}")

    public init(alphabet: Alphabet, units: Int, segments: Int) { self.alphabet = alphabet; self.units = units; self.segments = segments }

    public init(_ text: String) {
        var septets = 0
        var gsm = true
        for c in text {
            if Self.basic.contains(c) { septets += 1 } else if Self.extended.contains(c) { septets += 2 } else { gsm = false; break }
        }
        if gsm {
            alphabet = .gsm7
            units = septets
            segments = septets == 0 ? 0 : septets <= 160 ? 1 : (septets + 152) / 153
        } else {
            alphabet = .ucs2
            units = text.utf16.count
            segments = units <= 70 ? 1 : (units + 66) / 67
        }
    }
}

/// A member of staff as task routing sees them.
public struct StaffMember: Sendable, Equatable {
    public var id: Int64
    public var role: String
    public var active: Bool
    public var openTasks: Int
    public init(id: Int64, role: String, active: Bool = true, openTasks: Int = 0) {
        self.id = id; self.role = role; self.active = active; self.openTasks = openTasks
    }
}

/// Who gets a task (issue 4): the deal's F&I manager, else its salesperson, when active; else, round-robin among
/// the store's active staff with the fewest open tasks (managers last). Overdue tasks go to the store's manager.
public enum TaskRouting {
    public static func assignee(fiManager: Int64?, salesperson: Int64?, staff: [StaffMember], lastAssigned: Int64?) -> Int64? {
        let active = staff.filter(\.active)
        for preferred in [fiManager, salesperson] {
            if let id = preferred, active.contains(where: { $0.id == id }) { return id }
        }
        let pool = active.contains { $0.role != "manager" } ? active.filter { $0.role != "manager" } : active
        guard let fewest = pool.map(\.openTasks).min() else { return nil }
        let tied = pool.filter { $0.openTasks == fewest }.map(\.id).sorted()
        // Round-robin among the tied: the first after the one assigned last, wrapping around.
        if let last = lastAssigned, let next = tied.first(where: { $0 > last }) { return next }
        return tied.first
    }

    /// The store's manager who takes over overdue tasks: the active manager with the fewest open tasks.
    public static func escalation(staff: [StaffMember], excluding current: Int64?) -> Int64? {
        staff.filter { $0.active && $0.role == "manager" && $0.id != current }
            .min { ($0.openTasks, $0.id) < ($1.openTasks, $1.id) }?.id
    }
}

/// Outcomes a person records on a task.
public enum TaskOutcome: String, Sendable, Equatable, CaseIterable, Codable {
    case sold, booked
    case notInterested = "not_interested"
    case noAnswer = "no_answer"
    case wrongNumber = "wrong_number"
    case stopContacting = "stop_contacting"

    /// Closes the task for good; `no_answer` and `booked` leave the follow-up plan running.
    public var endsFollowUp: Bool {
        switch self {
        case .sold, .notInterested, .stopContacting: return true
        case .booked, .noAnswer, .wrongNumber: return false
        }
    }
}

/// Retry timing for a provider that failed: exponential from `base`, capped, with at most `maxAttempts` tries
/// before the message becomes a visible dead letter.
public struct Backoff: Sendable, Equatable {
    public var base: TimeInterval = 60
    public var cap: TimeInterval = 3_600
    public var maxAttempts = 6
    public init(base: TimeInterval = 60, cap: TimeInterval = 3_600, maxAttempts: Int = 6) {
        self.base = base; self.cap = cap; self.maxAttempts = maxAttempts
    }

    /// The wait after `attempt` failed tries (1 = the first failure).
    public func delay(afterAttempt attempt: Int) -> TimeInterval {
        min(cap, base * pow(2, Double(max(0, attempt - 1))))
    }

    /// True when `attempts` failed tries leave none.
    public func exhausted(_ attempts: Int) -> Bool { attempts >= maxAttempts }
}
