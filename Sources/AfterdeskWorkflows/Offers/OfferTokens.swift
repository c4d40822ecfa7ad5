import AfterdeskCore
import Foundation

/// Tokens of offer page links (`/o/{token}`): 128 random bits in 22 base64url characters, short enough for an SMS;
/// the store keeps only their SHA-256.
public enum OfferTokens {
    public static func random() -> String {
        // Two draws of 64 bits from the system's generator (a system call each), not sixteen of 8: a dispatch makes a
        // token for every message with an offer link.
        var rng = SystemRandomNumberGenerator()
        let (a, b) = (rng.next(), rng.next())
        return TokenText.base64URL((0..<16).map { i in UInt8(truncatingIfNeeded: (i < 8 ? a : b) >> (8 * UInt64(i % 8))) })
    }

    /// A token as a request may carry it: 22 base64url characters, nothing else (the store is not asked otherwise).
    public static func isWellFormed(_ token: String) -> Bool {
        token.utf8.count == OfferLinkText.tokenLength && token.utf8.allSatisfy(OfferLinkText.isTokenByte)
    }

    public static func hash(_ token: String) -> String { TokenText.hash(token) }
}
