import Foundation

/// A member of staff as task routing sees them.
public struct StaffMember: Sendable, Equatable {
    public var id: Int64
    public var role: String
    public var active: Bool
    public var openTasks: Int
    public init(id: Int64, role: String, active: Bool = true, openTasks: Int = 0) {
        self.id = id
        self.role = role
        self.active = active
        self.openTasks = openTasks
    }
}

/// Who gets a task (issue 4): the deal's F&I manager, else its salesperson, when active; else, round-robin among
/// the store's active staff with the fewest open tasks (managers last). Overdue tasks go to the store's manager.
public enum TaskRouting {
    public static func assignee(fiManager: Int64?, salesperson: Int64?, staff: [StaffMember], lastAssigned: Int64?) -> Int64? {
        let active = staff.filter(\.active)
        for preferred in [fiManager, salesperson] {
            if let id = preferred, active.contains(where: { $0.id == id }) { return id }
        }
        let pool = active.contains { $0.role != "manager" } ? active.filter { $0.role != "manager" } : active
        guard let fewest = pool.map(\.openTasks).min() else { return nil }
        let tied = pool.filter { $0.openTasks == fewest }.map(\.id).sorted()
        // Round-robin among the tied: the first after the one assigned last, wrapping around.
        if let last = lastAssigned, let next = tied.first(where: { $0 > last }) { return next }
        return tied.first
    }

    /// The store's manager who takes over overdue tasks: the active manager with the fewest open tasks.
    public static func escalation(staff: [StaffMember], excluding current: Int64?) -> Int64? {
        staff.filter { $0.active && $0.role == "manager" && $0.id != current }
            .min { ($0.openTasks, $0.id) < ($1.openTasks, $1.id) }?.id
    }
}
