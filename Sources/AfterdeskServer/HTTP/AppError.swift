import AfterdeskCore
import AfterdeskStorage
import Foundation
import Hummingbird
import Logging
import OpenAPIRuntime

/// The application's one error: what went wrong as a status, the API's `code`, and words safe to show. Every group's
/// error middleware turns what a route throws into one of these (`AppError.from`), then answers it in the group's
/// format: a page (`PageErrorMiddleware`) or the API's JSON (`APIErrorMiddleware`). A `StoreError` maps in through
/// `HTTPErrors`, the one place a store error's status is decided.
struct AppError: Error, Sendable {
    var status: HTTPResponse.Status
    /// The API's error code (`{"error": {"code": …}}`).
    var code: String
    /// Words for people, on a page.
    var message: String
    /// Words for an API client, when they differ (a task outcome's problem names the JSON field there).
    var apiMessage: String?
    /// Nobody is signed in: a page sends the browser to sign in (coming back to `next` when set); the API says 401.
    var signIn: SignIn?
    /// The error is the server's failure: logged, and said without detail.
    var isServerFailure: Bool { status.code >= 500 }

    struct SignIn: Sendable, Equatable {
        var next: String?
    }

    init(_ status: HTTPResponse.Status, code: String? = nil, _ message: String, api: String? = nil) {
        self.status = status
        self.code = code ?? Self.code(for: status)
        self.message = message
        self.apiMessage = api
    }

    /// Nobody signed in (or the token is missing, wrong, revoked or expired).
    static func unauthenticated(next: String?) -> AppError {
        var e = AppError(
            .unauthorized, code: "unauthorized", "Sign in to see this page.",
            api: "send Authorization: Bearer <token> with a valid token (afterdesk tokens add USER)")
        e.signIn = SignIn(next: next)
        return e
    }

    /// Signed in, but the role may not enter the area.
    static func forbidden(_ role: Role, _ area: Area) -> AppError {
        AppError(
            .forbidden, "This page is not part of the \(role.label) role.",
            api: area == .tasks ? "the \(role.rawValue) role has no task queue" : "the \(role.rawValue) role may not do this")
    }

    static let serverFailure = AppError(
        .internalServerError, code: "internal", "The server could not complete the request.",
        api: "the server could not complete the request")

    /// What a route threw, as the application's error: ours, the store's, or any error that carries its HTTP status;
    /// anything else is the server's failure.
    static func from(_ error: any Error) -> AppError {
        switch error {
        case let e as AppError: return e
        case let e as ServerError: return from(openAPI: e)
        case let e as StoreError:
            let status = HTTPErrors.status(for: e)
            if status == .internalServerError { return serverFailure }
            return AppError(status, e.message, api: status == .notFound ? e.message : HTTPErrors.message(e))
        case let e as HTTPError:
            if e.status.code >= 500 { return serverFailure }
            return AppError(e.status, e.body ?? e.status.reasonPhrase)
        case let e as any HTTPResponseError:
            // Hummingbird's and NIO's own errors that carry a status (a body over its limit is a 413), in general words.
            if e.status.code >= 500 { return serverFailure }
            return AppError(e.status, e.status.reasonPhrase)
        default: return serverFailure
        }
    }

    static func code(for status: HTTPResponse.Status) -> String {
        switch status {
        case .badRequest: return "bad_request"
        case .unauthorized: return "unauthorized"
        case .forbidden: return "forbidden"
        case .notFound: return "not_found"
        case .contentTooLarge: return "too_large"
        case .requestTimeout: return "timeout"
        case .unprocessableContent: return "unprocessable"
        case .tooManyRequests: return "too_many_requests"
        default: return status.code >= 500 ? "internal" : "error"
        }
    }

    /// The bytes of the API's JSON for it.
    var apiJSON: Data { errorJSON(code, apiMessage ?? message) }

    /// The API's JSON for it; a 401 also names the scheme (`WWW-Authenticate`).
    var apiResponse: Response {
        var r = errorResponse(code, apiMessage ?? message, status: status)
        if status == .unauthorized { r.headers[.wwwAuthenticate] = "Bearer realm=\"afterdesk\"" }
        return r
    }
}

/// Answers every error of the API's groups (and the other JSON routes: health, metrics, webhooks, unsubscribe) in the
/// API's one error shape. The server's own failures are logged by their type, never their words.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let e = AppError.from(error)
            if e.isServerFailure {
                logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(type(of: error))"])
            }
            return e.apiResponse
        }
    }
}

/// A last resort: an `AppError` no group answered (none should reach here) is still its status, as the API's JSON.
extension AppError: HTTPResponseError {
    func response(from request: Request, context: some RequestContext) throws -> Response { apiResponse }
}
