import AfterdeskCore
import Foundation
import Hummingbird
import NIOCore

/// Cross-site request forgery, for a page group: a state change (anything but GET and HEAD) must come from this site
/// (`CSRF.sameOrigin`) and carry its session's token, or it is 403 and its route does not run. A urlencoded form is
/// read here (at most 64 KiB, as `decodeForm` reads it) and handed on whole, so the route decodes the same bytes. An
/// upload's token is checked while it streams, before its file is written (`ImportPagesController.upload`): its group
/// says `.streamed`, and only the origin is checked here.
struct FormGuard: RouterMiddleware {
    typealias Context = PageContext
    enum Token { case inForm, streamed }
    let publicURL: String
    var token = Token.inForm

    static let refused = "The form had expired or came from another site. Go back, reload the page and try again."

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method != .get, request.method != .head else { return try await next(request, context) }
        guard CSRF.sameOrigin(request, publicURL: publicURL) else { throw AppError(.forbidden, Self.refused) }
        guard token == .inForm else { return try await next(request, context) }
        var request = request
        let buffer = try await collectForm(request)
        struct Fields: Decodable { var csrf: String? }
        let fields = try decodeForm(Fields.self, buffer)
        guard CSRF.matches(fields.csrf, context.user.session.csrf) else { throw AppError(.forbidden, Self.refused) }
        request.body = .init(buffer: buffer)
        return try await next(request, context)
    }
}

/// A form post's bytes, at most 64 KiB.
func collectForm(_ request: Request) async throws -> ByteBuffer {
    do { return try await request.body.collect(upTo: 64 * 1024) } catch is NIOTooManyBytesError {
        throw AppError(.contentTooLarge, "The form is larger than 64 KiB. Shorten what was typed and try again.")
    } catch {
        // The client stopped sending, or was cut off for sending too slowly (`HeadDeadline`): the client's doing, not
        // the server's failure, so not logged as one.
        throw AppError(.badRequest, "The form did not arrive whole. Go back and send it again.")
    }
}

/// A form post (`application/x-www-form-urlencoded`) as its `Decodable` body type. Every field of a body type is
/// optional, so a missing field (the CSRF token in `FormGuard`) is refused as such, not as a malformed form. Body types
/// carry no token: the group checked it before the route runs.
func decodeForm<Body: Decodable>(_ type: Body.Type, _ buffer: ByteBuffer) throws -> Body {
    if NULCharacters.inForm(buffer) { throw AppError(.badRequest, NULCharacters.formRefusal) }
    do { return try URLEncodedFormDecoder().decode(Body.self, from: String(buffer: buffer)) } catch {
        throw AppError(.badRequest, "The form could not be read. Go back, reload the page and try again.")
    }
}

/// A form post as its body type (`collectForm`, then `decodeForm`).
func decodeForm<Body: Decodable>(_ type: Body.Type, _ request: Request) async throws -> Body {
    try decodeForm(type, try await collectForm(request))
}
