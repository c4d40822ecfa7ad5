import Foundation

/// What a member of staff does at the store, which decides the tasks they are given (`TaskRouting`): managers take
/// overdue tasks and new ones only when no one else is active.
public enum StaffRole: String, Sendable, Equatable, CaseIterable, Codable {
    case sales, fi, manager, bdc

    /// Why `text` is not a role; nil when it is one.
    public static func problem(_ text: String) -> String? {
        guard StaffRole(rawValue: text) == nil else { return nil }
        return "role '\(text)' is not one of \(allCases.map(\.rawValue).joined(separator: ", "))"
    }
}

extension TaskRouting {
    /// An open task and who it goes to (nil: no one active in the store).
    public struct Reassignment: Sendable, Equatable {
        public var task: Int64
        public var assignee: Int64?

        public init(task: Int64, assignee: Int64?) {
            self.task = task
            self.assignee = assignee
        }
    }

    /// Where the open `tasks` of someone who left go, in order: each to the least loaded active colleague by round-robin
    /// (`assignee`), counting the tasks handed out before it. `staff` and `lastAssigned` are the store's as the first is
    /// handed out; `newestTask` is the store's newest task, whose assignee is the one round-robin continues from.
    public static func reassignments(
        of tasks: [Int64], staff: [StaffMember], lastAssigned: Int64?, newestTask: Int64?
    ) -> [Reassignment] {
        var staff = staff
        var last = lastAssigned
        return tasks.map { task in
            let to = assignee(fiManager: nil, salesperson: nil, staff: staff, lastAssigned: last)
            if let to, let i = staff.firstIndex(where: { $0.id == to }) { staff[i].openTasks += 1 }
            if task == newestTask { last = to }
            return Reassignment(task: task, assignee: to)
        }
    }
}
