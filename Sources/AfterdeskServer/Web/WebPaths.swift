import Foundation

/// Every path of the web pages, in one place (INTERFACES.md, "Web pages"): routes, links and redirects use these.
enum WebPaths {
    static let home = "/"
    static let login = "/login"
    static let logout = "/logout"
    static let tasks = "/tasks"
    static let task = "/tasks/{id}"
    static let taskOutcome = "/tasks/{id}/outcome"
    static let taskReschedule = "/tasks/{id}/reschedule"
    static let deals = "/deals"
    static let deal = "/deals/{store}/{number}"
    static let imports = "/imports"
    static let importPage = "/imports/{id}"
    static let importRejects = "/imports/{id}/rejects.csv"
    static let dashboard = "/dashboard"
    static let dashboardCSV = "/dashboard.csv"
    static let menu = "/menu"
    static let adminUsers = "/admin/users"
    static let adminUser = "/admin/users/{id}"
    static let stylesheet = "/static/app.css"
    /// The customer's offer page.
    static let offer = "/o/{token}"

    static func task(_ id: Int64) -> String { "/tasks/\(id)" }
    static func offer(_ token: String) -> String { "/o/\(token)" }
    static func importPage(_ id: Int64) -> String { "/imports/\(id)" }
    static func deal(store: String, number: String) -> String { "/deals/\(component(store))/\(component(number))" }

    /// A path segment, percent-encoded.
    static func component(_ s: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove("/")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    /// Where to go after signing in: a local path only (never `//host` or a scheme), else the home page.
    static func localRedirect(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.hasPrefix("/\\"), next.count < 500,
            !next.contains(where: { $0.isNewline || $0 == "\\" }), !next.hasPrefix(login)
        else { return home }
        return next
    }
}
