import Foundation

/// How an SMS body travels: GSM 03.38 7-bit when every character is in its alphabet, else UCS-2; and how many
/// segments that makes (160/153 septets, or 70/67 UTF-16 units, per single/concatenated segment).
public struct SMSEncoding: Sendable, Equatable {
    public enum Alphabet: String, Sendable, Equatable {
        case gsm7 = "GSM-7"
        case ucs2 = "UCS-2"
    }
    public var alphabet: Alphabet
    /// Septets for GSM-7 (extension characters count two), UTF-16 code units for UCS-2.
    public var units: Int
    public var segments: Int

    static let basic: Set<Character> = Set(
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
    )
    static let extended: Set<Character> = Set("^{}\\[~]|€\u{0C}")

    public init(alphabet: Alphabet, units: Int, segments: Int) {
        self.alphabet = alphabet
        self.units = units
        self.segments = segments
    }

    /// Each ASCII byte's septets in GSM-7: 1 in the basic table, 2 in the extension table, 0 outside both.
    static let asciiSeptets: [UInt8] = (0..<128).map { b in
        let c = Character(Unicode.Scalar(UInt8(b)))
        return basic.contains(c) ? 1 : extended.contains(c) ? 2 : 0
    }

    public init(_ text: String) {
        // All ASCII (most messages): byte by byte. Among ASCII only CR LF make one character of two, and it is in
        // neither table.
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            var septets = 0
            var gsm = true
            var afterCR = false
            for b in text.utf8 {
                let n = Self.asciiSeptets[Int(b)]
                if n == 0 || (afterCR && b == 0x0A) {
                    gsm = false
                    break
                }
                septets += Int(n)
                afterCR = b == 0x0D
            }
            self.init(gsm ? .gsm7 : .ucs2, septets: septets, utf16: text.utf8.count)
            return
        }
        var septets = 0
        var gsm = true
        for c in text {
            if Self.basic.contains(c) {
                septets += 1
            } else if Self.extended.contains(c) {
                septets += 2
            } else {
                gsm = false
                break
            }
        }
        self.init(gsm ? .gsm7 : .ucs2, septets: septets, utf16: gsm ? 0 : text.utf16.count)
    }

    /// Segments as carriers count them: of septets in GSM-7, of UTF-16 units in UCS-2.
    private init(_ alphabet: Alphabet, septets: Int, utf16: Int) {
        self.alphabet = alphabet
        if alphabet == .gsm7 {
            units = septets
            segments = septets == 0 ? 0 : septets <= 160 ? 1 : (septets + 152) / 153
        } else {
            units = utf16
            segments = units <= 70 ? 1 : (units + 66) / 67
        }
    }
}
