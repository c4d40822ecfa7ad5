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
