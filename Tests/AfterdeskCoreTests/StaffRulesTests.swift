import AfterdeskCore
import Foundation
import Testing

/// Staff roles and where the tasks of someone who left go, in Core with plain values.
@Suite struct StaffRulesTests {
    @Test func onlyTheFourRolesAreRoles() {
        for role in ["sales", "fi", "manager", "bdc"] { #expect(StaffRole.problem(role) == nil, "\(role)") }
        #expect(StaffRole.problem("Manager") == "role 'Manager' is not one of sales, fi, manager, bdc")
        #expect(StaffRole.problem("") != nil)
    }

    @Test func theTasksOfSomeoneWhoLeftAreSpreadOverTheLeastLoadedColleagues() {
        let staff = [
            StaffMember(id: 1, role: "fi", active: false, openTasks: 4),
            StaffMember(id: 2, role: "fi", openTasks: 1),
            StaffMember(id: 3, role: "sales", openTasks: 0),
            StaffMember(id: 4, role: "manager", openTasks: 0),
        ]
        // 3 has fewest; then 2 and 3 tie at 1 and round-robin goes on after the last assigned (2): 3; then 2 has fewest;
        // then they tie again: 3.
        #expect(
            TaskRouting.reassignments(of: [10, 11, 12, 13], staff: staff, lastAssigned: 2, newestTask: 99) == [
                .init(task: 10, assignee: 3), .init(task: 11, assignee: 3), .init(task: 12, assignee: 2), .init(task: 13, assignee: 3),
            ])
        // When the store's newest task is one of them, round-robin goes on from its new assignee.
        #expect(
            TaskRouting.reassignments(of: [10, 11, 12], staff: staff, lastAssigned: 1, newestTask: 10) == [
                .init(task: 10, assignee: 3), .init(task: 11, assignee: 2), .init(task: 12, assignee: 3),
            ])
        // Managers only when no one else is active; no one when no one is.
        let alone = [StaffMember(id: 1, role: "fi", active: false), StaffMember(id: 4, role: "manager")]
        #expect(TaskRouting.reassignments(of: [10], staff: alone, lastAssigned: nil, newestTask: nil) == [.init(task: 10, assignee: 4)])
        #expect(
            TaskRouting.reassignments(of: [10], staff: [StaffMember(id: 1, role: "fi", active: false)], lastAssigned: nil, newestTask: 10)
                == [.init(task: 10, assignee: nil)])
    }
}
