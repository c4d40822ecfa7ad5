import Crypto
import Foundation

/// How tokens are written and kept: base64url for links, headers and cookies; a SHA-256 in hex for the store (offer
/// links here, API tokens and sessions in the server).
public enum TokenText {
    /// Bytes as base64url without padding (RFC 4648 §5): safe in a header, a cookie, a form field.
    public static func base64URL(_ bytes: [UInt8]) -> String {
        // base64's alphabet with `+` and `/` exchanged, the `=` padding dropped, byte by byte (base64 is ASCII).
        let encoded = Data(bytes).base64EncodedData().compactMap { c -> UInt8? in
            switch c {
            case UInt8(ascii: "+"): UInt8(ascii: "-")
            case UInt8(ascii: "/"): UInt8(ascii: "_")
            case UInt8(ascii: "="): nil
            default: c
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }

    /// The SHA-256 of the token's UTF-8, in lowercase hex.
    public static func hash(_ token: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for b in SHA256.hash(data: Data(token.utf8)) {
            hex.append(digits[Int(b >> 4)])
            hex.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
