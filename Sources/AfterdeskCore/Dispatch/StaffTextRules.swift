import Foundation

/// A text a person writes on a task page (issue 24, item 5): it goes through the store's number and the same gate as
/// an automated one, so these are its own rules before the gate's.
public enum StaffTextRules {
    /// The text as sent: what the person wrote, trimmed, control characters other than line breaks removed, signed
    /// with their name and the store's, so the customer knows who is writing.
    public static func body(_ written: String, signedBy name: String, dealer: String) -> String {
        let kept = written.unicodeScalars.filter { $0 == "\n" || !CharacterSet.controlCharacters.contains($0) }
        let text = String(String.UnicodeScalarView(kept)).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return "" }
        return "\(text)\n— \(name), \(dealer)"
    }

    /// Why the text cannot go, or nil: nothing written, or longer than `maxSegments` segments.
    public static func problem(_ body: String, maxSegments: Int) -> String? {
        if body.isEmpty { return "Write a message first." }
        let e = SMSEncoding(body)
        if e.segments > maxSegments {
            return "The text is \(e.segments) segments long (\(e.units) \(e.alphabet == .gsm7 ? "characters" : "UTF-16 units") with the "
                + "signature); at most \(maxSegments) go in one message. Shorten it."
        }
        return nil
    }

    /// The gate's answer in words for the person who pressed Send; nil when it may go.
    public static func refusal(_ decision: GateDecision, zone: TimeZone, format: (Date) -> String) -> String? {
        switch decision {
        case .send: return nil
        case .skip(let why): return "Not sent: \(why)."
        case .move(let at, let why): return "Not sent now: \(why). A text may go from \(format(at)) (\(zone.identifier))."
        }
    }
}

extension StaffTextRules {
    /// Short starting points for a person's text (the signature is added on sending). They state no fact about
    /// coverage or price, so nothing in them can be untrue of a customer; the person edits them before sending.
    public static func presets(firstName: String, product: String?, vehicle: String) -> [(label: String, text: String)] {
        var out: [(String, String)] = []
        if let product {
            out.append(
                (
                    "Follow up",
                    "Hi \(firstName), following up on the \(product) we talked about for your \(vehicle). Would you like me to send the price again?"
                ))
            out.append(
                ("Offer a call", "Hi \(firstName), I can go over the \(product) with you by phone in a few minutes. When is a good time?"))
        }
        out.append(("Answer a reply", "Hi \(firstName), thanks for your message. When is a good time to call you?"))
        return out
    }
}
