import AfterdeskCore
import Hummingbird

/// The router's groups (docs/architecture.md, "Route groups"): every route is added to one of these, never to the
/// router itself, and the group decides who may run it and how its errors are answered.
///
/// - `pages(area)`: a signed-in person whose role may enter `area` (`Area.roles`, the table the navigation reads too);
///   errors as pages; a state change must carry the session's CSRF token (`FormGuard`). Its routes get a
///   `PageContext`, whose `user` is never nil.
/// - `api(area)`: a bearer token whose role may enter `area`; errors as the API's JSON. Its routes get an
///   `APIContext`, and `RequestPrincipal.current` holds the same person.
/// - `publicPages()`: no one required (sign-in, the customer's offer page, the stylesheet); errors as pages; a
///   signed-in person is in the context when there is one.
/// - `publicJSON()`: no one required (health, metrics, webhooks with their own signatures, unsubscribe); errors as
///   the API's JSON.
struct RouteGroups {
    let router: Router<AppRequestContext>
    let ctx: ServerContext
    let pages: Pages
    var auth: WebAuth { WebAuth(ctx: ctx) }

    var pageErrors: PageErrorMiddleware<AppRequestContext> { PageErrorMiddleware(pages: pages, auth: auth, logger: ctx.logger) }

    /// Pages of `area` (nil: any signed-in person). `returnToPage`: after signing in, come back to the page asked for.
    func pages(_ area: Area?, token: FormGuard.Token = .inForm, returnToPage: Bool = true) -> RouterGroup<PageContext> {
        router.group()
            .add(middleware: pageErrors)
            .add(middleware: SessionAuthenticator(auth: auth, returnToPage: returnToPage))
            .group(context: PageContext.self)
            .add(middleware: RoleMiddleware<PageContext>(area: area) { $0.principal })
            .add(middleware: FormGuard(publicURL: ctx.settings.publicURL, token: token))
    }

    /// API operations of `area`.
    func api(_ area: Area) -> RouterGroup<APIContext> {
        router.group()
            .add(middleware: APIErrorMiddleware(logger: ctx.logger))
            .add(middleware: BearerAuthenticator(ctx: ctx))
            .group(context: APIContext.self)
            .add(middleware: RoleMiddleware<APIContext>(area: area) { $0.principal })
    }

    /// `lookingForSession`: the person signed in, if any, is in the context's `identity` (the sign-in form sends them on).
    func publicPages(lookingForSession: Bool = false) -> RouterGroup<AppRequestContext> {
        let group = router.group().add(middleware: pageErrors)
        return lookingForSession ? group.add(middleware: SessionAuthenticator(auth: auth, optional: true)) : group
    }

    func publicJSON() -> RouterGroup<AppRequestContext> {
        router.group().add(middleware: APIErrorMiddleware(logger: ctx.logger))
    }
}
