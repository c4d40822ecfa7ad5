import Testing

@testable import AfterdeskCore

/// The access table, cell by cell: every role against every area, written out here rather than derived, so a change
/// to the table is a change to this test too (docs/security.md, "Roles and areas").
struct AreaTests {
    /// Rows are roles, columns the areas in `Area.allCases` order: tasks, deals, imports, figures, menu, admin.
    static let expected: [Role: [Bool]] = [
        .sales: [true, false, false, false, false, false],
        .fiManager: [true, true, true, true, true, false],
        .financeDirector: [false, true, false, true, false, false],
        .admin: [true, true, true, true, true, true],
    ]

    @Test func theAreasAreTheDocumentedSix() {
        #expect(Area.allCases == [.tasks, .deals, .imports, .figures, .menu, .admin])
        #expect(Set(Self.expected.keys) == Set(Role.allCases))
    }

    @Test(arguments: Role.allCases, Area.allCases)
    func everyRoleInEveryArea(role: Role, area: Area) throws {
        let row = try #require(Self.expected[role])
        let column = try #require(Area.allCases.firstIndex(of: area))
        #expect(role.mayEnter(area) == row[column], "\(role) in \(area)")
        #expect(area.roles.contains(role) == row[column])
        #expect(role.areas.contains(area) == row[column])
    }

    /// The task area is exactly the roles with a task queue: the route group and `Principal.maySee` agree.
    @Test(arguments: Role.allCases)
    func theTaskAreaMatchesTaskAccess(role: Role) {
        #expect(role.mayEnter(.tasks) == (role.tasks != .none))
    }

    /// Only admins enter admin; every role enters some area (everyone signed in has a home).
    @Test func adminIsAdminsAloneAndNobodyIsLockedOut() {
        #expect(Area.admin.roles == [.admin])
        for role in Role.allCases { #expect(!role.areas.isEmpty, "\(role)") }
    }
}
