import Foundation

/// Issue 25, item 2: the phrases a message may hold only while a fact of `MessageFacts.context` backs them
/// (docs/templates.md, "Facts that guard claims"). A claim with no guard is never true of a message.
enum ClaimsList {
    struct Claim {
        let phrase: String
        /// Any of these context paths being true (present, non-empty, not false) backs the phrase.
        let guards: [String]
    }

    static let never = [
        "can't be added", "cannot be added", "can no longer be added", "can only be added", "only while", "repairs are yours",
        "no longer pays",
    ]
    static let claims: [Claim] =
        never.map { Claim(phrase: $0, guards: []) }
        + ["your quote", "you passed", "pass on the", "quote again", "quoted)", "the price you were quoted"].map {
            Claim(phrase: $0, guards: ["quote.given_at_desk"])
        }
        + ["covers the difference", "cover the difference", "covers that difference"].map {
            Claim(phrase: $0, guards: ["gap.covers_difference"])
        }
        + ["can be added until", "can still be added until", "available until", "last days to add"].map {
            Claim(phrase: $0, guards: ["product.available_until"])
        }
        + ["can be bought as", "offered now as", "sold now as"].map { Claim(phrase: $0, guards: ["class"]) }
        + [
            Claim(phrase: "after an inspection", guards: ["class.inspection"]),
            Claim(phrase: "used-vehicle plan", guards: ["class.used"]),
            Claim(phrase: "new-vehicle plan", guards: ["class.manufacturer_new"]),
            Claim(phrase: "after-warranty plan", guards: ["class.after_warranty"]),
            Claim(phrase: "prices start from", guards: ["price.from"]),
            Claim(phrase: "gap lasts until", guards: ["gap.exposure_ends"]),
            Claim(phrase: "owe more than the car is worth until", guards: ["gap.exposure_ends"]),
            Claim(phrase: "first service", guards: ["first_service"]),
            Claim(phrase: "first scheduled service", guards: ["first_service"]),
        ]
        + [
            "factory warranty ends", "factory warranty is projected", "factory basic warranty is projected",
            "left on your factory warranty", "factory warranty runs", "basic warranty is projected",
        ].map { Claim(phrase: $0, guards: ["warranty"]) }
        + ["powertrain warranty is projected", "powertrain warranty ends", "powertrain warranty runs", "left on your powertrain"].map {
            Claim(phrase: $0, guards: ["powertrain"])
        }

    /// The value at a dotted path of a Mustache context, nil when absent.
    static func value(_ path: String, in context: [String: Any]) -> Any? {
        var current: Any? = context
        for key in path.split(separator: ".") { current = (current as? [String: Any])?[String(key)] }
        return current
    }

    /// True as a Mustache section would be: present, not false, not an empty string or list.
    static func holds(_ path: String, in context: [String: Any]) -> Bool {
        switch value(path, in: context) {
        case nil: return false
        case let b as Bool: return b
        case let s as String: return !s.isEmpty
        case let a as [Any]: return !a.isEmpty
        default: return true
        }
    }

    static let month = "(January|February|March|April|May|June|July|August|September|October|November|December)"
    static let untilDate = try! NSRegularExpression(pattern: "until (about |around )?(\(month) [0-9]{1,2}(, [0-9]{4})?)")
    static let dollars = try! NSRegularExpression(pattern: "\\$[0-9,]+\\.[0-9]{2}")
    static let daysCount = try! NSRegularExpression(pattern: "about ([0-9]+) days")

    /// What a rendered message claims that its facts do not back, each as "phrase (needs guard)".
    static func violations(_ rendered: String, context: [String: Any]) -> [String] {
        let text = rendered.replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&#x27;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "\n", with: " ")
        let lower = text.lowercased()
        var out: [String] = []
        for c in claims where lower.contains(c.phrase) && !c.guards.contains(where: { holds($0, in: context) }) {
            out.append("\"\(c.phrase)\" (needs \(c.guards.isEmpty ? "nothing can back it" : c.guards.joined(separator: " or ")))")
        }
        let strings = { (paths: [String]) in paths.compactMap { value($0, in: context).map { "\($0)" } } }
        // A date after "until" is a fact of the day: the product's window, the class's, the warranties', GAP's exposure.
        let dates = strings([
            "product.available_until", "class.closes_on", "gap.exposure_ends", "warranty.ends", "warranty.ends_short",
            "powertrain.ends", "powertrain.ends_short",
        ])
        out += matches(untilDate, in: text, group: 2).filter { !dates.contains($0) }.map { "until \($0) (no fact has that date)" }
        let prices = strings(["quote.price", "price.amount"])
        out += matches(dollars, in: text, group: 0).filter { !prices.contains($0) }.map { "\($0) (neither quote.price nor price.amount)" }
        let days = strings(["warranty.days_left", "powertrain.days_left", "product.days_left"])
        out += matches(daysCount, in: text, group: 1).filter { !days.contains($0) }.map { "about \($0) days (no fact counts that)" }
        return out
    }

    static func matches(_ re: NSRegularExpression, in text: String, group: Int) -> [String] {
        re.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { m in
            Range(m.range(at: group), in: text).map { String(text[$0]) }
        }
    }
}
