import Foundation
import Hummingbird
import NIOCore

/// A NUL character (U+0000) is never data Afterdesk keeps: PostgreSQL's text cannot hold one (it refused the statement,
/// and the request was a 500), and no name, number, note or search of the trade has one. It is refused where a request
/// brings it — its address (`%00` in the path or query, for every route), a form (`decodeForm`), the API's JSON
/// (`SmallBodyGuard`) — as a bad request naming it, on either database. A provider's webhook is the exception: a text
/// is the customer's, and a NUL in it (GSM-7's `@` is 0x00) is dropped so that "STOP" still stops
/// (`InboundController`).
enum NULCharacters {
    static let addressRefusal = "A NUL character (%00) is not allowed in an address.\n"
    static let formRefusal = "The form held a NUL character, which Afterdesk does not keep. Remove it and send the form again."
    static let jsonRefusal = "the body holds a NUL character (\\u0000), which Afterdesk does not keep"

    /// Whether an address (path and query, as sent) holds a NUL, percent-encoded or not.
    static func inAddress(_ uri: String) -> Bool { uri.contains("%00") || uri.utf8.contains(0) }

    /// Whether a urlencoded form's bytes hold a NUL, percent-encoded or not.
    static func inForm(_ buffer: ByteBuffer) -> Bool {
        buffer.readableBytesView.contains(0) || String(buffer: buffer).contains("%00")
    }

    /// Whether JSON's bytes hold a NUL: a raw byte, or the escape `\u0000` (one whose backslash is not itself escaped:
    /// an odd run of backslashes before the `u`).
    static func inJSON(_ buffer: ByteBuffer) -> Bool {
        let bytes = Array(buffer.readableBytesView)
        if bytes.contains(0) { return true }
        let escape = Array("u0000".utf8)
        var i = 1
        while i + escape.count <= bytes.count {
            if bytes[i - 1] == UInt8(ascii: "\\"), bytes[i..<(i + escape.count)].elementsEqual(escape) {
                var slashes = 0
                var j = i - 1
                while j >= 0, bytes[j] == UInt8(ascii: "\\") {
                    slashes += 1
                    j -= 1
                }
                if slashes % 2 == 1 { return true }
            }
            i += 1
        }
        return false
    }

    /// A text from a provider with its NUL characters dropped.
    static func dropped(_ text: String) -> String { text.contains("\0") ? text.replacingOccurrences(of: "\0", with: "") : text }
}

/// Every route: an address holding a NUL is answered 400 before any route (or group) reads it.
struct NULAddressMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard NULCharacters.inAddress(request.uri.description) else { return try await next(request, context) }
        return Response(
            status: .badRequest, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: NULCharacters.addressRefusal)))
    }
}
