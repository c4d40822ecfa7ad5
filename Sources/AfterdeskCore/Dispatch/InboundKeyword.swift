import Foundation

/// What an inbound SMS asks for (DESIGN.md, Compliance; docs/compliance-words.md). The one place the words live.
///
/// - **Revocation** (`stop`): under the FCC's revocation order (FCC 24-24, 47 CFR 64.1200(a)(10)–(11), in force
///   2025-04-11) `stop`, `quit`, `end`, `revoke`, `opt out`, `cancel` and `unsubscribe` in a reply revoke consent, as
///   does any reasonable means in the customer's own words. Any of them **as a word anywhere in the message**, in any
///   case and with any punctuation, revokes SMS; so do the carriers' `STOPALL`, Spanish keywords and common phrases
///   ("don't text me", "take me off your list", "wrong number"). The reading is deliberately wide: a false revocation
///   costs a follow-up the customer can restore with START; a missed one is a violation. So "I'll stop by Saturday"
///   and "cancel my GAP" revoke too (the message also reaches a person as a task: see `isBareKeyword`); only other
///   words that merely contain a keyword ("stopped", "ending", "cancellation", "unstoppable") do not.
/// - **START/UNSTOP** opt back in, and **HELP** gets the help text, only as the whole message: a sentence that happens
///   to contain "start" is not a customer's opt-in.
public enum InboundKeyword: String, Sendable, Equatable {
    case stop, start, help

    /// Single words that revoke, matched as whole words (letters and digits around them end a word).
    public static let stopWords: Set<String> = [
        "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT",
        // Spanish: carriers' and the CTIA's common ones.
        "ALTO", "PARAR", "BAJA", "CANCELAR", "DETENER",
    ]
    /// Phrases that revoke, matched as a run of whole words (`opt-out` and `opt out` alike).
    public static let stopPhrases: [[String]] = [
        ["OPT", "OUT"], ["STOP", "ALL"],
        ["DONT", "TEXT"], ["DO", "NOT", "TEXT"], ["DON", "T", "TEXT"], ["NO", "MORE", "TEXTS"], ["NO", "MORE", "MESSAGES"],
        ["TAKE", "ME", "OFF"], ["REMOVE", "ME"], ["WRONG", "NUMBER"], ["LEAVE", "ME", "ALONE"],
        ["NO", "ME", "ESCRIBAN"], ["NO", "MAS", "MENSAJES"], ["NÚMERO", "EQUIVOCADO"], ["NUMERO", "EQUIVOCADO"],
    ]
    /// Not `YES` or `INFO`: a bare "Yes" or "Info" answers a follow-up, and is a lead for a person.
    public static let startWords: Set<String> = ["START", "UNSTOP", "INICIO"]
    public static let helpWords: Set<String> = ["HELP", "AYUDA"]

    /// The keyword, or nil for an ordinary reply (which becomes a task for a person).
    public static func classify(_ body: String) -> InboundKeyword? {
        let words = Self.words(body)
        if revocation(words) != nil { return .stop }
        guard words.count == 1, let word = words.first else { return nil }
        if startWords.contains(word) { return .start }
        if helpWords.contains(word) { return .help }
        return nil
    }

    /// The word or phrase that revokes consent in `body`, as it is listed (`"STOP"`, `"TAKE ME OFF"`); nil when none.
    public static func revocation(in body: String) -> String? { revocation(words(body)) }

    /// Whether the message is nothing but one keyword (`STOP`, `stop!`, `opt-out`): anything else is also read by a
    /// person.
    public static func isBareKeyword(_ body: String) -> Bool {
        let words = Self.words(body)
        guard let first = words.first else { return false }
        if words.count == 1 { return stopWords.contains(first) || startWords.contains(first) || helpWords.contains(first) }
        // The two spellings of a keyword in two words; "wrong number" and the like tell staff something, so they are read.
        return words == ["OPT", "OUT"] || words == ["STOP", "ALL"]
    }

    private static func revocation(_ words: [String]) -> String? {
        if let word = words.first(where: { stopWords.contains($0) }) { return word }
        guard words.count >= 2 else { return nil }
        for phrase in stopPhrases where phrase.count <= words.count {
            for start in 0...(words.count - phrase.count) where Array(words[start..<(start + phrase.count)]) == phrase {
                return phrase.joined(separator: " ")
            }
        }
        return nil
    }

    /// The message's words, upper-cased, split at anything but a letter or digit; an apostrophe joins ("DON'T" is
    /// "DONT"). At most the first 200 words are read: a keyword is near the start of any real reply.
    static func words(_ body: String) -> [String] {
        var out: [String] = []
        var current = ""
        for ch in body.uppercased() {
            if ch.isLetter || ch.isNumber {
                current.append(ch)
            } else if ch == "'" || ch == "’" {
                continue
            } else if !current.isEmpty {
                out.append(current)
                current = ""
                if out.count == 200 { return out }
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }
}
