import AfterdeskCore
import Foundation

/// API tokens: 256 random bits, shown once as `adk_` and 43 base64url characters; only a SHA-256 of each is stored.
public enum APITokens {
    /// A new token and what the database keeps of it.
    public static func generate<R: RandomNumberGenerator>(using rng: inout R) -> (token: String, hash: String, label: String) {
        var bytes = [UInt8](repeating: 0, count: 32)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &rng) }
        let token = "adk_" + base64URL(bytes)
        return (token, hash(token), String(token.prefix(10)))
    }

    /// Bytes as base64url without padding (`TokenText`).
    public static func base64URL(_ bytes: [UInt8]) -> String { TokenText.base64URL(bytes) }

    public static func hash(_ token: String) -> String { TokenText.hash(token) }
}
