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
        return Layout(
            title: title,
            nav: navigation.filter { role.mayEnter($0.area) }.map { Link(label: $0.label, href: $0.href, current: $0.href == current) },
            userName: user.principal.name, roleLabel: role.label, csrf: user.session.csrf, flash: flash)
    }
}

/// The navigation: each link opens its area's first page, and is shown to the roles the access table lets into the
/// area (`Area.roles`), the same table the route groups check.
let navigation: [(label: String, href: String, area: Area)] = [
    ("Tasks", WebPaths.tasks, .tasks), ("Deals", WebPaths.deals, .deals), ("Imports", WebPaths.imports, .imports),
    ("Dashboard", WebPaths.dashboard, .figures), ("Scorecard", WebPaths.scorecard, .figures), ("Menu", WebPaths.menu, .menu),
    ("Users", WebPaths.adminUsers, .admin), ("Stores", WebPaths.adminStores, .admin),
]

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

/// Trims a form field; empty is absent.
func present(_ text: String?) -> String? {
    text.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
}
