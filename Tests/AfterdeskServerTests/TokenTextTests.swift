import AfterdeskWorkflows
import Foundation
import Testing

/// Tokens as links, headers and cookies carry them: base64url without padding, and offer tokens of 128 random bits.
@Suite struct TokenTextTests {
    /// RFC 4648's test vectors (§10), in the URL alphabet without padding, and bytes that need `-` and `_`.
    @Test func base64URLIsRFC4648sURLAlphabetWithoutPadding() {
        let vectors: [(String, String)] = [
            ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy"),
        ]
        for (text, expected) in vectors { #expect(TokenText.base64URL(Array(text.utf8)) == expected) }
        #expect(TokenText.base64URL([0xfb, 0xff, 0xbf]) == "-_-_")
        #expect(TokenText.base64URL([0xff, 0xfe]) == "__4")
    }

    /// Every offer token is 22 characters of the URL alphabet, holds 16 bytes, and each byte takes many values over
    /// many draws (a byte drawn badly, always the same or a copy of another, shows).
    @Test func offerTokensAre16RandomBytes() throws {
        let tokens = (0..<2_000).map { _ in OfferTokens.random() }
        #expect(Set(tokens).count == tokens.count)
        #expect(tokens.allSatisfy(OfferTokens.isWellFormed))
        let bytes = try tokens.map { token -> [UInt8] in
            let standard = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/") + "=="
            return [UInt8](try #require(Data(base64Encoded: standard)))
        }
        #expect(bytes.allSatisfy { $0.count == 16 })
        for i in 0..<16 {
            #expect(Set(bytes.map { $0[i] }).count > 200, "byte \(i) takes few values")
            if i > 0 {
                // Nor is a byte a shift of the one before (bits taken where bytes were meant).
                #expect(bytes.filter { $0[i] == $0[i - 1] }.count < 100, "byte \(i) copies byte \(i - 1)")
                #expect(bytes.filter { $0[i] & 0x7f == $0[i - 1] >> 1 }.count < 100, "byte \(i) shifts byte \(i - 1)")
                #expect(bytes.filter { $0[i] >> 1 == $0[i - 1] & 0x7f }.count < 100, "byte \(i - 1) shifts byte \(i)")
            }
        }
    }
}
