import AfterdeskCore
import AfterdeskStorage
import Foundation
import Hummingbird

/// A page group's authenticator: the session cookie's person goes into the context (`identity`); without a live
/// session the group's routes do not run and the browser is sent to sign in, coming back to the page asked for when
/// `returnToPage` (every page but `/` and signing out, where there is nothing to come back to).
struct SessionAuthenticator: RouterMiddleware {
    typealias Context = AppRequestContext
    let auth: WebAuth
    var returnToPage = true
    /// Public pages (the sign-in form) only look: a person signed in is in the context, nobody is no error.
    var optional = false

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let user = try await auth.signedIn(request) {
            context.identity = Identity(principal: user.principal, session: user.session)
        } else if !optional {
            throw AppError.unauthenticated(next: returnToPage ? request.uri.description : nil)
        }
        return try await next(request, context)
    }
}

/// The API groups' authenticator: a bearer token's person goes into the context and, for the rest of the request,
/// into `RequestPrincipal.current`; no token, or a wrong, revoked or expired one, or a disabled user's, is a 401.
struct BearerAuthenticator: RouterMiddleware {
    typealias Context = AppRequestContext
    let ctx: ServerContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let principal = try await APIAuthentication(ctx: ctx).principal(request) else {
            throw AppError.unauthenticated(next: nil)
        }
        var context = context
        context.identity = Identity(principal: principal)
        return try await RequestPrincipal.$current.withValue(principal) { try await next(request, context) }
    }
}

/// The door of an area: the signed-in person's role must be one the access table lets in (`Area.roles`), else 403.
/// `nil` is the door of what every signed-in person may do (`/`, signing out).
struct RoleMiddleware<Context: RequestContext>: RouterMiddleware {
    let area: Area?
    let principal: @Sendable (Context) -> Principal

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let role = principal(context).role
        if let area, !role.mayEnter(area) { throw AppError.forbidden(role, area) }
        return try await next(request, context)
    }
}
