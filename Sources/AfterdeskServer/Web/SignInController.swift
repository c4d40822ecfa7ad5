import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation
import Hummingbird

/// The sign-in form, signing out, and `/` (each role's home).
struct SignInController: Sendable {
    let ctx: ServerContext
    let pages: Pages
    var auth: WebAuth { WebAuth(ctx: ctx) }

    struct Page: PageModel {
        static let template = "login"
        var layout: Layout
        var csrf: String
        var next: String
        var username: String
        var error: String?
    }

    /// `POST /login`.
    struct SignInForm: Decodable {
        var username: String?
        var password: String?
        var csrf: String?
        var next: String?
    }

    /// `public`: the sign-in form (the person signed in, if any, in the context); `signedIn`: any signed-in person's
    /// group, which sends nobody-signed-in to the form without a page to come back to.
    func addRoutes(public: RouterGroup<AppRequestContext>, signedIn: RouterGroup<PageContext>) {
        signedIn.get(RouterPath(WebPaths.home)) { _, context -> Response in seeOther(context.principal.role.home) }
        `public`.get(RouterPath(WebPaths.login)) { request, context -> Response in try await form(request, context: context) }
        `public`.post(RouterPath(WebPaths.login)) { request, context -> Response in try await signIn(request, context: context) }
        signedIn.post(RouterPath(WebPaths.logout)) { request, context -> Response in try await signOut(request, context: context) }
    }

    func form(_ request: Request, context: AppRequestContext) async throws -> Response {
        let next = WebPaths.localRedirect(request.uri.queryParameters["next"].map(String.init))
        if let user = context.identity?.principal { return seeOther(next == WebPaths.home ? user.role.home : next) }
        return try page(next: next, username: "", error: nil, status: .ok)
    }

    /// The form with a fresh token, kept in a short-lived cookie of its own (there is no session yet).
    private func page(next: String, username: String, error: String?, status: HTTPResponse.Status) throws -> Response {
        let token = CSRF.token()
        let cookie = Cookie(
            name: WebAuth.loginCSRFCookie, value: token, maxAge: 3600, path: WebPaths.login, secure: auth.secure, sameSite: .lax)
        let model = Page(layout: .page("Sign in", for: nil), csrf: token, next: next, username: username, error: error)
        return try pages.response(model, status: status, cookies: [cookie])
    }

    func signIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let fields = try await decodeForm(SignInForm.self, request)
        let next = WebPaths.localRedirect(fields.next)
        let name = String((fields.username ?? "").trimmingCharacters(in: .whitespaces).prefix(64))
        guard CSRF.sameOrigin(request, publicURL: ctx.settings.publicURL),
            let expected = request.cookies[WebAuth.loginCSRFCookie]?.value, CSRF.matches(fields.csrf, String(expected))
        else {
            return try page(next: next, username: name, error: "The form had expired. Please sign in again.", status: .forbidden)
        }
        let address = ctx.clientAddress(request, context)
        // A name with control characters is no user's name (`users add` refuses them) and could forge a log line.
        guard !LogText.hasControlCharacters(name) else {
            ctx.logger.notice("sign-in refused: control characters in the name", metadata: ["user": "\(LogText.escaped(name))"])
            return try page(next: next, username: "", error: "Wrong user name or password.", status: .unauthorized)
        }
        let attempt: Int64
        switch try await ctx.database.reserveSignIn(user: name, address: address, limits: ctx.signInLimits, now: ctx.clock.now()) {
        case .check(let id): attempt = id
        case .refused(let until):
            ctx.logger.warning("sign-in refused: too many failures", metadata: ["user": "\(name)"])
            return try page(next: next, username: name, error: Self.refusal(until: until, now: ctx.clock.now()), status: .tooManyRequests)
        }
        let user = await name.isEmpty ? nil : try ctx.database.signInUser(name: name)
        let ok = await ctx.passwords.verify(fields.password ?? "", user?.passwordHash)
        try await ctx.database.settleSignIn(attempt: attempt, succeeded: ok && user != nil)
        guard ok, let user else {
            ctx.logger.notice("sign-in failed", metadata: ["user": "\(name)"])
            if try await ctx.database.signInRefusedUntil(user: name, address: address, limits: ctx.signInLimits, now: ctx.clock.now())
                != nil
            {
                ctx.logger.warning("sign-in locked out", metadata: ["user": "\(name)"])
            }
            return try page(next: next, username: name, error: "Wrong user name or password.", status: .unauthorized)
        }
        let session = WebSession(userID: user.principal.userID, csrf: CSRF.token(), signedInAt: ctx.clock.now())
        let cookie = try await auth.sessions.save(session: session, expiresIn: WebAuth.lifetime)
        ctx.logger.info("signed in", metadata: ["user": "\(user.principal.name)", "role": "\(user.principal.role.rawValue)"])
        let target = next == WebPaths.home ? user.principal.role.home : next
        return seeOther(target, cookies: [cookie, auth.expired(WebAuth.loginCSRFCookie, path: WebPaths.login)])
    }

    /// What a refused sign-in is told: how long to wait, in seconds under a minute, else in minutes.
    static func refusal(until: Date, now: Date) -> String {
        let seconds = max(1, Int(min(max(until.timeIntervalSince(now), 0), 86_400).rounded(.up)))
        let wait =
            seconds < 60
            ? "\(seconds) second\(seconds == 1 ? "" : "s")" : "\((seconds + 59) / 60) minute\((seconds + 59) / 60 == 1 ? "" : "s")"
        return "Too many failed sign-ins. Try again in \(wait), or ask an admin."
    }

    /// `POST /logout`: the form's token was checked by the group (`FormGuard`).
    func signOut(_ request: Request, context: PageContext) async throws -> Response {
        _ = try? await auth.sessions.delete(request: request)
        ctx.logger.info("signed out", metadata: ["user": "\(context.principal.name)"])
        return seeOther(WebPaths.login, cookies: [auth.expired(WebAuth.cookieName)])
    }
}
