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

    public init(_ text: String) {
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
