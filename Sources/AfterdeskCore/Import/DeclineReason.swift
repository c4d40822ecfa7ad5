import Foundation

/// The standard decline reasons of the canonical format (`products[].reason`, `<code>_reason`), and the words the
/// pages use for them: the one place a reason code becomes something a person reads.
public enum DeclineReason {
    /// Each standard code and how it completes "Declined …".
    public static let phrases: [String: String] = [
        "payment": "because of the payment",
        "price": "because of the price",
        "covered": "because they felt covered already",
        "think": "because they wanted to think it over",
        "other": "for another reason",
    ]

    /// The standard codes, in lower case; anything else is kept as free text.
    public static let known: Set<String> = Set(phrases.keys)

    /// How `reason` completes "Declined …": the words of a standard code (in any case), or free text as written,
    /// quoted.
    public static func phrase(_ reason: String) -> String {
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        if let words = phrases[trimmed.lowercased()] { return words }
        return trimmed.isEmpty ? phrases["other"] ?? "" : "because: \u{201C}\(trimmed)\u{201D}"
    }
}
