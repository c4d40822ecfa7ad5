import AfterdeskCore
import Foundation

/// Tokens of offer page links (`/o/{token}`): 128 random bits in 22 base64url characters, short enough for an SMS;
/// the store keeps only their SHA-256.
public enum OfferTokens {
    public static func random() -> String {
        var rng = SystemRandomNumberGenerator()
        return TokenText.base64URL((0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }

    /// A token as a request may carry it: 22 base64url characters, nothing else (the store is not asked otherwise).
    public static func isWellFormed(_ token: String) -> Bool {
        token.utf8.count == OfferLinkText.tokenLength && token.utf8.allSatisfy(OfferLinkText.isTokenByte)
    }

    public static func hash(_ token: String) -> String { TokenText.hash(token) }
}
