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
    static let taskText = "/tasks/{id}/text"
    static let deals = "/deals"
    static let deal = "/deals/{store}/{number}"
    static let imports = "/imports"
    static let importPage = "/imports/{id}"
    static let importRejects = "/imports/{id}/rejects.csv"
    static let dashboard = "/dashboard"
    static let dashboardCSV = "/dashboard.csv"
    static let scorecard = "/scorecard"
    static let menu = "/menu"
    static let adminUsers = "/admin/users"
    static let adminOptOuts = "/admin/opt-outs"
    static let adminStores = "/admin/stores"
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

    /// Where to go after signing in: a local path only, else the home page. Browsers drop tabs and line breaks from a
    /// URL and read `\\` as `/`, so `/<TAB>/evil.example` would leave the site: the path is kept only when it is
    /// printable ASCII with no space or backslash, starts with exactly one `/`, and parses with no scheme and no host.
    static func localRedirect(_ next: String?) -> String {
        guard let next, next.utf8.count < 500,
            next.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") }),
            next.utf8.first == UInt8(ascii: "/"), next.utf8.dropFirst().first != UInt8(ascii: "/"),
            let parsed = URLComponents(string: next), parsed.scheme == nil, parsed.host == nil, parsed.user == nil,
            parsed.path.hasPrefix("/"), !next.hasPrefix(login)
        else { return home }
        return next
    }
}
