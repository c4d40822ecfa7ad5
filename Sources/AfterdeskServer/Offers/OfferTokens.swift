import Crypto
import Foundation

/// Tokens of offer page links (`/o/{token}`): 128 random bits in 22 base64url characters, short enough for an SMS;
/// the store keeps only their SHA-256.
public enum OfferTokens {
    public static func random() -> String {
        var rng = SystemRandomNumberGenerator()
        return APITokens.base64URL((0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }

    /// A token as a request may carry it: 22 base64url characters, nothing else (the store is not asked otherwise).
    public static func isWellFormed(_ token: String) -> Bool {
        token.utf8.count == 22
            && token.utf8.allSatisfy { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F
            }
    }

    public static func hash(_ token: String) -> String { APITokens.hash(token) }
}
