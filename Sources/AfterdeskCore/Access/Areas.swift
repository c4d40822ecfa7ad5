/// The parts of the application a role may enter (docs/security.md, "Roles and areas"): one table, read by the HTTP
/// route groups (pages and API alike) and by the pages' navigation, so a link is shown exactly where its page opens.
/// What a person may see inside an area (their own tasks, their store) is decided in the area, by `Principal`.
public enum Area: String, Sendable, CaseIterable, Codable {
    /// The task queue and its tasks: `/tasks…`, `/api/tasks`, `/api/v1/tasks…`.
    case tasks
    /// Deals and their plans: `/deals…`, `/api/v1/deals…`.
    case deals
    /// Deal and after-sale files: `/imports…`, `/api/v1/{deals,contracts,cancellations}/import`.
    case imports
    /// The figures: `/dashboard`, `/dashboard.csv`, `/scorecard`, `/api/v1/report`.
    case figures
    /// The menu in force: `/menu`.
    case menu
    /// Users, tokens and the opt-out ledger: `/admin/…`.
    case admin

    /// The roles that may enter the area.
    public var roles: Set<Role> {
        switch self {
        case .tasks: return [.sales, .fiManager, .admin]
        case .deals: return [.fiManager, .financeDirector, .admin]
        case .imports: return [.fiManager, .admin]
        case .figures: return [.financeDirector, .fiManager, .admin]
        case .menu: return [.fiManager, .admin]
        case .admin: return [.admin]
        }
    }
}

extension Role {
    /// Whether the role may enter `area` at all.
    public func mayEnter(_ area: Area) -> Bool { area.roles.contains(self) }

    /// The areas the role may enter, in the table's order.
    public var areas: [Area] { Area.allCases.filter(mayEnter) }
}
