import Crypto
import Foundation

/// The signatures Afterdesk checks and makes.
public enum Signatures {
    /// Twilio's `X-Twilio-Signature`: HMAC-SHA1 keyed by the auth token, of the full URL followed by every POST
    /// parameter's name and value, sorted by name, base64.
    public static func twilio(url: String, parameters: [(String, String)], authToken: String) -> String {
        var data = url
        for (k, v) in parameters.sorted(by: { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }) { data += k + v }
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(data.utf8), using: SymmetricKey(data: Data(authToken.utf8)))
        return Data(mac).base64EncodedString()
    }

    /// True when `signature` is Twilio's for the request, compared in constant time.
    public static func verifyTwilio(signature: String, url: String, parameters: [(String, String)], authToken: String) -> Bool {
        constantTimeEqual(twilio(url: url, parameters: parameters, authToken: authToken), signature)
    }

    /// The task webhook's `X-Afterdesk-Signature`: `t=<unix time>,v1=<hex HMAC-SHA256 of "<unix time>.<body>">`.
    public static func webhook(body: Data, secret: String, timestamp: Int) -> String {
        var signed = Data("\(timestamp).".utf8)
        signed.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8)))
        return "t=\(timestamp),v1=" + Data(mac).map { String(format: "%02x", $0) }.joined()
    }

    /// A token that proves an unsubscribe link was made by Afterdesk for `customerID`: base64url HMAC-SHA256.
    public static func unsubscribeToken(customerID: Int64, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("unsubscribe:\(customerID)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        // base64url without padding.
        var out = ""
        for ch in Data(mac).base64EncodedString().unicodeScalars {
            switch ch {
            case "+": out.append("-")
            case "/": out.append("_")
            case "=": continue
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    public static func verifyUnsubscribe(token: String, customerID: Int64, secret: String) -> Bool {
        constantTimeEqual(unsubscribeToken(customerID: customerID, secret: secret), token)
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
