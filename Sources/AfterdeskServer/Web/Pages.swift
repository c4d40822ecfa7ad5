import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation
import Hummingbird
import Logging
import Mustache
import NIOCore

/// A page's model: typed values only, never rows or dictionaries, rendered by the template it names.
protocol PageModel: Sendable {
    static var template: String { get }
    var layout: Layout { get }
}

/// The frame of every page: its title, the navigation of the signed-in person's role, and the sign-out form.
struct Layout: Sendable, Equatable {
    struct Link: Sendable, Equatable {
        var label: String
        var href: String
        var current: Bool
    }
    var title: String
    var nav: [Link] = []
    var userName: String?
    var roleLabel: String?
    var csrf: String?
    var flash: String?

    static func page(_ title: String, for user: SignedIn?, current: String? = nil, flash: String? = nil) -> Layout {
        guard let user else { return Layout(title: title, flash: flash) }
        let role = user.principal.role
        let links: [(String, String, Set<Role>)] = [
            ("Tasks", WebPaths.tasks, [.sales, .fiManager, .admin]),
            ("Deals", WebPaths.deals, [.fiManager, .financeDirector, .admin]),
            ("Imports", WebPaths.imports, [.fiManager, .admin]),
            ("Dashboard", WebPaths.dashboard, [.financeDirector, .fiManager, .admin]),
            ("Menu", WebPaths.menu, [.fiManager, .admin]),
            ("Users", WebPaths.adminUsers, [.admin]),
        ]
        return Layout(
            title: title,
            nav: links.filter { $0.2.contains(role) }.map { Link(label: $0.0, href: $0.1, current: $0.1 == current) },
            userName: user.principal.name, roleLabel: role.label, csrf: user.session.csrf, flash: flash)
    }
}

/// The templates, parsed once when the application is built (`PageTemplates`: the files of `templates/pages/`, built
/// in, or a dealer's from the `page_templates_dir` setting): one that does not parse stops the server from starting,
/// naming its file and line.
struct Pages: Sendable {
    let library: MustacheLibrary
    /// `/static/app.css`.
    let stylesheet: String

    static func load(overrides directory: String? = nil) throws -> Pages {
        let templates = try PageTemplates.load(overrides: directory)
        return Pages(library: templates.library, stylesheet: templates.stylesheet)
    }

    func html<Model: PageModel>(_ model: Model) throws -> String {
        guard let text = library.render(model, withTemplate: Model.template) else {
            throw StoreError.integrity("no page template \(Model.template)")
        }
        return text
    }

    func response<Model: PageModel>(_ model: Model, status: HTTPResponse.Status = .ok, cookies: [Cookie] = []) throws -> Response {
        var response = Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: try html(model))))
        for c in cookies { response.setCookie(c) }
        return response
    }
}

/// A page saying what went wrong, in words, without any detail of the server's insides.
struct ErrorPage: PageModel {
    static let template = "error"
    var layout: Layout
    var status: Int
    var heading: String
    var message: String
}

/// A redirect after a form (303: the browser follows with GET).
func seeOther(_ location: String, cookies: [Cookie] = []) -> Response {
    var response = Response(status: .seeOther, headers: [.location: location])
    for c in cookies { response.setCookie(c) }
    return response
}

/// Errors of the web pages become pages: nobody signed in goes to the sign-in page; 403, 404 and refused requests
/// are said in words; anything else is a 500 page, logged, with no detail to the browser. `/api` and the webhooks
/// keep their JSON errors.
struct PageErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let pages: Pages
    let auth: WebAuth
    let logger: Logger

    static func isPage(_ path: String) -> Bool {
        !(path.hasPrefix("/api/") || path.hasPrefix("/webhooks/") || path == "/health" || path == "/metrics" || path == "/unsubscribe")
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.isPage(request.uri.path) else { return try await next(request, context) }
        do {
            let response = try await next(request, context)
            if response.status == .notFound, response.headers[.contentType] == nil {
                return try await page(request, status: .notFound, message: "There is no page at this address.")
            }
            return response
        } catch let e as SignInRequired {
            return seeOther(WebPaths.login + "?next=" + (e.next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
        } catch let e as HTTPError {
            return try await page(request, status: e.status, message: e.body ?? e.status.reasonPhrase)
        } catch let e as StoreError {
            let status = HTTPErrors.status(for: e)
            if status == .internalServerError {
                logger.error("page failed", metadata: ["path": "\(request.uri.path)", "kind": "\(e.kind)"])
            }
            return try await page(
                request, status: status, message: status == .internalServerError ? "The server could not complete the request." : e.message)
        } catch {
            logger.error("page failed", metadata: ["path": "\(request.uri.path)", "error": "\(type(of: error))"])
            return try await page(request, status: .internalServerError, message: "The server could not complete the request.")
        }
    }

    private func page(_ request: Request, status: HTTPResponse.Status, message: String) async throws -> Response {
        let user = try? await auth.signedIn(request)
        let heading: String
        switch status {
        case .notFound: heading = "Not found"
        case .forbidden: heading = "Not allowed"
        case .internalServerError: heading = "Something went wrong"
        default: heading = status.reasonPhrase
        }
        let model = ErrorPage(layout: .page(heading, for: user), status: Int(status.code), heading: heading, message: message)
        return try pages.response(model, status: status)
    }
}

/// A form post (`application/x-www-form-urlencoded`, at most 64 KiB) as its `Decodable` body type. Every field of a
/// body type is optional, so a missing CSRF token is refused as such (403), not as a malformed form.
func decodeForm<Body: Decodable>(_ type: Body.Type, _ request: Request) async throws -> Body {
    let buffer: ByteBuffer
    do { buffer = try await request.body.collect(upTo: 64 * 1024) } catch is NIOTooManyBytesError {
        throw HTTPError(.contentTooLarge, message: "The form is larger than 64 KiB. Shorten what was typed and try again.")
    } catch {
        // The client stopped sending, or was cut off for sending too slowly (`HeadDeadline`): the client's doing, not
        // the server's failure, so not logged as one.
        throw HTTPError(.badRequest, message: "The form did not arrive whole. Go back and send it again.")
    }
    do { return try URLEncodedFormDecoder().decode(Body.self, from: String(buffer: buffer)) } catch {
        throw HTTPError(.badRequest, message: "The form could not be read. Go back, reload the page and try again.")
    }
}

/// Trims a form field; empty is absent.
func present(_ text: String?) -> String? {
    text.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
}
