import Testing

@testable import AfterdeskCore

/// The byte-by-byte count of an ASCII text gives what the character-by-character count gives (the carriers' rule):
/// CR LF (one character in neither table), the extension table, bytes outside GSM-7, any length.
@Suite struct SMSEncodingTests {
    /// The count character by character, as carriers count: every character in a table, else UCS-2.
    static func reference(_ text: String) -> SMSEncoding {
        var septets = 0
        for c in text {
            if SMSEncoding.basic.contains(c) {
                septets += 1
            } else if SMSEncoding.extended.contains(c) {
                septets += 2
            } else {
                let units = text.utf16.count
                return SMSEncoding(alphabet: .ucs2, units: units, segments: units <= 70 ? 1 : (units + 66) / 67)
            }
        }
        return SMSEncoding(alphabet: .gsm7, units: septets, segments: septets == 0 ? 0 : septets <= 160 ? 1 : (septets + 152) / 153)
    }

    static let pieces = [
        "a", "Z", " ", "\r", "\n", "\r\n", "{", "^", "€", "\u{0C}", "`", "\u{7F}", "\t", "$", "@", "é", "’",
        "x" + String(repeating: "y", count: 150),
    ]

    @Test func theASCIICountIsTheCharacterCount() {
        var rng = SeededRandom(seed: 160)
        for _ in 0..<20_000 {
            let text = (0..<Int.random(in: 0...8, using: &rng)).map { _ in Self.pieces.randomElement(using: &rng)! }.joined()
            #expect(SMSEncoding(text) == Self.reference(text), "\(text.debugDescription)")
        }
        #expect(SMSEncoding("a\r\nb").alphabet == .ucs2)
        #expect(SMSEncoding("a\rb\n") == SMSEncoding(alphabet: .gsm7, units: 4, segments: 1))
        #expect(SMSEncoding("{}") == SMSEncoding(alphabet: .gsm7, units: 4, segments: 1))
        #expect(SMSEncoding("a`").alphabet == .ucs2)
    }
}
