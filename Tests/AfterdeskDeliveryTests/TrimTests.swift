import AfterdeskCore
import Foundation
import Testing

@testable import AfterdeskDelivery

/// `trimmingBlanks` and `MessageTemplates.oneLine` give Foundation's answers (`trimmingCharacters(in:)`,
/// `replacingOccurrences`), over strings of the scalars where the two could part.
@Suite struct TrimTests {
    static let pieces: [String] = [
        " ", "\t", "\n", "\r", "\r\n", "\u{0B}", "\u{0C}", "\u{85}", "\u{A0}", "\u{1680}", "\u{2000}", "\u{200A}", "\u{200B}", "\u{200C}",
        "\u{180E}", "\u{1F}", "\u{00}",
        "\u{2028}", "\u{2029}", "\u{202F}", "\u{205F}", "\u{3000}", "\u{FEFF}", "\u{301}", "a", "Zoë", "👍🏽", "\u{1F}", "",
    ]

    @Test func trimmingBlanksIsFoundationsTrim() {
        var rng = SeededRandom(seed: 7)
        for _ in 0..<20_000 {
            let s = (0..<Int.random(in: 0...6, using: &rng)).map { _ in Self.pieces.randomElement(using: &rng)! }.joined()
            #expect(s.trimmingBlanks(newlines: true) == s.trimmingCharacters(in: .whitespacesAndNewlines), "\(s.debugDescription)")
            #expect(s.trimmingBlanks(newlines: false) == s.trimmingCharacters(in: .whitespaces), "\(s.debugDescription)")
            let foundation = s.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
                .trimmingCharacters(in: .whitespaces)
            #expect(MessageTemplates.oneLine(s) == foundation, "\(s.debugDescription)")
        }
    }
}
