import Foundation

/// `+1•••••••0142`: enough for a person to recognise, not enough to leak.
public func maskPhone(_ p: String) -> String { String(repeating: "•", count: max(0, p.count - 4)) + p.suffix(4) }

/// `m•••@example.com`.
public func maskEmail(_ e: String) -> String {
    guard let at = e.firstIndex(of: "@") else { return "•••" }
    return String(e.prefix(1)) + "•••" + e[at...]
}

/// Customer contact data never reaches a log (DESIGN.md). Provider errors quote it as they please ("550 5.1.1
/// <maria.lopez@example.com>: user unknown", "+15125550142 is not a mobile number"): every text that goes to a log
/// or a stored error passes through here first.
public enum Redact {
    /// `text` with every email address and every phone-like run of 10 or more digits masked (a date's 8 digits stay).
    public static func contactData(in text: String) -> String {
        var out = text
        for (regex, mask) in [(email, maskEmail), (phone, maskPhone)] {
            let ns = out as NSString
            var pieces: [String] = []
            var last = 0
            for m in regex.matches(in: out, range: NSRange(location: 0, length: ns.length)) {
                let found = ns.substring(with: m.range)
                if regex === phone, found.filter(\.isNumber).count < 10 { continue }
                pieces.append(ns.substring(with: NSRange(location: last, length: m.range.location - last)))
                pieces.append(mask(found))
                last = m.range.location + m.range.length
            }
            pieces.append(ns.substring(from: last))
            out = pieces.joined()
        }
        return out
    }

    // NSRegularExpression is immutable once made, and documented as safe to use from any thread.
    nonisolated(unsafe) static let email = try! NSRegularExpression(pattern: "[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}")
    /// Digits with the separators phone numbers are written with.
    nonisolated(unsafe) static let phone = try! NSRegularExpression(pattern: "\\+?\\(?\\d(?:[\\d ().-]{5,}\\d)")
}
