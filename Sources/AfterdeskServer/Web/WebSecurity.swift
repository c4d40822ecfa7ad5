import AfterdeskWorkflows
import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// Headers every response carries (docs/security.md): nothing framed, nothing loaded from elsewhere, no sniffing, nothing
/// cached but the stylesheet (CSV downloads and API JSON hold phone numbers), and HSTS when the public URL is https.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var csp: String { "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'" }
    /// A year; not `includeSubDomains`, which would bind the dealership's other sites too.
    static var hsts: String { "max-age=31536000" }
    /// Whether the site is served over https (`public_url`): then browsers are told never to use plain http.
    var https = false

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            // An error no inner middleware answered (an unknown `/api/…` path is Hummingbird's 404): made a response
            // here, so it carries the headers too.
            response = try error.response(from: request, context: context)
        }
        // A route with a stricter policy of its own (the customer's offer page) keeps it.
        if response.headers[.contentSecurityPolicy] == nil { response.headers[.contentSecurityPolicy] = Self.csp }
        response.headers[.xContentTypeOptions] = "nosniff"
        if response.headers[.referrerPolicy] == nil { response.headers[.referrerPolicy] = "same-origin" }
        response.headers[.xFrameOptions] = "DENY"
        // Only a route that says how it may be cached (the stylesheet) is cached.
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        if https { response.headers[.strictTransportSecurity] = Self.hsts }
        return response
    }
}

/// Cross-site request forgery (hummingbird-auth has none): every form carries its session's token, and a state
/// change must also come from this site by `Sec-Fetch-Site` and `Origin` when the browser sends them.
enum CSRF {
    /// 256 random bits, base64url.
    static func token() -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return APITokens.base64URL(bytes)
    }

    /// The two tokens are equal, compared in constant time.
    static func matches(_ sent: String?, _ expected: String) -> Bool {
        guard let sent, !expected.isEmpty else { return false }
        let a = SHA256.hash(data: Data(sent.utf8))
        let b = SHA256.hash(data: Data(expected.utf8))
        return a == b
    }

    /// The request comes from one of this site's own pages: `Sec-Fetch-Site` is same-origin (or none: typed in), and
    /// `Origin`, when sent, is the public URL's or the request's own host. `nullOrigin` accepts `Origin: null`, which
    /// browsers send from a page with `Referrer-Policy: no-referrer` (the customer's offer page).
    static func sameOrigin(_ request: Request, publicURL: String, nullOrigin: Bool = false) -> Bool {
        if let site = request.headers[.secFetchSite]?.lowercased(), site != "same-origin", site != "none" { return false }
        guard let origin = request.headers[.origin]?.lowercased() else { return true }
        if origin == "null" { return nullOrigin }
        var allowed: Set<String> = []
        if let u = URL(string: publicURL), let scheme = u.scheme, let host = u.host {
            allowed.insert("\(scheme)://\(host)\(u.port.map { ":\($0)" } ?? "")".lowercased())
        }
        if let host = request.head.authority?.lowercased() {
            allowed.insert("http://\(host)")
            allowed.insert("https://\(host)")
        }
        return allowed.contains(origin)
    }
}

extension HTTPField.Name {
    static let secFetchSite = Self("Sec-Fetch-Site")!
    static let xFrameOptions = Self("X-Frame-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
}
