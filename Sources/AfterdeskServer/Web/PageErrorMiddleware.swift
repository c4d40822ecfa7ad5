import AfterdeskCore
import AfterdeskStorage
import Foundation
import Hummingbird
import Logging

/// Every page group's errors become pages (`AppError.from`): nobody signed in goes to the sign-in page; 403, 404 and
/// refused requests are said in words; anything else is a 500 page, logged, with no detail to the browser. The
/// error page shows the navigation of whoever is signed in, read again from the session (the error may have come
/// before or from the group's authenticator).
struct PageErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let pages: Pages
    let auth: WebAuth
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            if response.status == .notFound, response.headers[.contentType] == nil {
                return try await page(request, AppError(.notFound, "There is no page at this address."))
            }
            return response
        } catch {
            let e = AppError.from(error)
            if let signIn = e.signIn {
                let next = signIn.next.map { "?next=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/") }
                return seeOther(WebPaths.login + (next ?? ""))
            }
            if e.isServerFailure {
                let detail = (error as? StoreError).map { "\($0.kind)" } ?? "\(type(of: error))"
                logger.error("page failed", metadata: ["path": "\(request.uri.path)", "error": "\(detail)"])
            }
            return try await page(request, e)
        }
    }

    func page(_ request: Request, _ e: AppError) async throws -> Response {
        let user = try? await auth.signedIn(request)
        let heading: String
        switch e.status {
        case .notFound: heading = "Not found"
        case .forbidden: heading = "Not allowed"
        case .internalServerError: heading = "Something went wrong"
        default: heading = e.status.reasonPhrase
        }
        let model = ErrorPage(layout: .page(heading, for: user), status: Int(e.status.code), heading: heading, message: e.message)
        return try pages.response(model, status: e.status)
    }
}

/// The answer to an address no route has (Hummingbird's 404 of an unknown path or method): the HTML 404 page, except
/// under `/api/`, `/webhooks/`, `/health`, `/metrics` and `/unsubscribe`, which keep Hummingbird's bare 404. This is
/// the one place a path's prefix decides a format, and only for addresses that belong to no group: every route's
/// errors are answered by its group's error middleware.
struct UnmatchedRouteMiddleware<Context: RequestContext>: RouterMiddleware {
    let pages: PageErrorMiddleware<Context>

    static func isPage(_ path: String) -> Bool {
        !(path.hasPrefix("/api/") || path.hasPrefix("/webhooks/") || path == "/health" || path == "/metrics" || path == "/unsubscribe")
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let e as HTTPError where e.status == .notFound && Self.isPage(request.uri.path) {
            return try await pages.page(request, AppError.from(e))
        }
    }
}
