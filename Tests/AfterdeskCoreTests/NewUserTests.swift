import AfterdeskCore
import Testing

/// The fields of a user to add, checked at their edges before anything is stored.
@Suite struct NewUserTests {
    @Test func aNameIsOneWordOfAtMost64CharactersOnceTrimmed() throws {
        #expect(try NewUser(name: "  kliu ", role: .admin, staffCode: nil, store: nil).name == "kliu")
        #expect(try NewUser(name: String(repeating: "k", count: 64), role: .admin, staffCode: nil, store: nil).name.count == 64)
        for bad in ["", "   ", String(repeating: "k", count: 65), "k liu", "k\tliu", "kliu\n", "k\u{00A0}liu"] {
            #expect(throws: NewUserProblem.name, "\(bad.debugDescription)") {
                try NewUser(name: bad, role: .admin, staffCode: nil, store: nil)
            }
        }
    }

    @Test func aSalesUserNeedsAStaffCodeAndOthersDoNot() throws {
        #expect(throws: NewUserProblem.salesWithoutStaff) { try NewUser(name: "sam", role: .sales, staffCode: nil, store: "main") }
        #expect(try NewUser(name: "sam", role: .sales, staffCode: "S9", store: nil).staffCode == "S9")
        for role in Role.allCases where role != .sales {
            #expect(try NewUser(name: "ada", role: role, staffCode: nil, store: nil).role == role)
        }
        // The name is checked first: a form with both wrong names its name.
        #expect(throws: NewUserProblem.name) { try NewUser(name: "two words", role: .sales, staffCode: nil, store: nil) }
    }

    @Test func theProblemsSayWhatToFix() {
        #expect(NewUserProblem.name.description.contains("one word of at most 64 characters"))
        #expect(NewUserProblem.salesWithoutStaff.description.contains("staff member"))
    }

    @Test func aUserOfSeveralStoresKeepsEachOnceInOrderAndASalesUserHasOne() throws {
        #expect(
            try NewUser(name: "ada", role: .fiManager, staffCode: nil, stores: ["tulsa", "austin", "tulsa"]).stores == ["austin", "tulsa"])
        #expect(try NewUser(name: "ada", role: .admin, staffCode: nil, stores: []).stores == [])
        #expect(try NewUser(name: "ada", role: .admin, staffCode: nil, store: "austin").stores == ["austin"])
        #expect(try NewUser(name: "sam", role: .sales, staffCode: "S9", stores: ["austin", "austin"]).stores == ["austin"])
        #expect(throws: NewUserProblem.salesInSeveralStores) {
            try NewUser(name: "sam", role: .sales, staffCode: "S9", stores: ["austin", "tulsa"])
        }
        #expect(NewUserProblem.salesInSeveralStores.description.contains("one store"))
    }
}

/// Who may reach which store's records: a person of some stores, or of the whole group.
@Suite struct PrincipalScopeTests {
    func person(_ stores: [String]?) -> Principal { Principal(userID: 1, name: "ada", role: .fiManager, staffID: nil, stores: stores) }

    @Test func aPersonOfSomeStoresReachesThoseOnly() {
        let two = person(["tulsa", "austin", "tulsa"])
        #expect(two.stores == ["austin", "tulsa"] && !two.isGroup && two.onlyStore == nil)
        #expect(two.mayReach("austin") && two.mayReach("tulsa") && !two.mayReach("tampa") && !two.mayReach("Tulsa"))
        #expect(two.storesShown(asking: nil) == ["austin", "tulsa"])
        #expect(two.storesShown(asking: "tulsa") == ["tulsa"])
        #expect(two.storesShown(asking: "tampa") == [])
        let one = person(["tulsa"])
        #expect(one.onlyStore == "tulsa" && one.mayReach("tulsa") && !one.mayReach("austin"))
        #expect(Principal(userID: 1, name: "ada", role: .fiManager, staffID: nil, store: "tulsa") == one)
    }

    @Test func aPersonOfTheGroupReachesEveryStoreAndAnEmptyListReachesNone() {
        for group in [person(nil), Principal(userID: 1, name: "ada", role: .fiManager, staffID: nil, store: nil)] {
            #expect(group.isGroup && group.stores == nil && group.onlyStore == nil)
            #expect(group.mayReach("austin") && group.mayReach("anything"))
            #expect(group.storesShown(asking: nil) == nil && group.storesShown(asking: "tampa") == ["tampa"])
        }
        // Only nil is the group: a list that came out empty is no store, never every store.
        let none = person([])
        #expect(!none.isGroup && none.stores == [] && none.onlyStore == nil && !none.mayReach("austin"))
        #expect(none.storesShown(asking: nil) == [] && none.storesShown(asking: "austin") == [])
        #expect(!Principal(userID: 1, name: "root", role: .admin, staffID: nil, stores: []).maySee(taskAssignedTo: nil, inStore: "austin"))
    }

    @Test func aTaskOfAnotherStoreIsNotSeenWhateverTheRole() {
        let admin = Principal(userID: 1, name: "root", role: .admin, staffID: nil, stores: ["tulsa"])
        #expect(admin.maySee(taskAssignedTo: 5, inStore: "tulsa"))
        #expect(!admin.maySee(taskAssignedTo: 5, inStore: "austin"))
        let sales = Principal(userID: 2, name: "sam", role: .sales, staffID: 5, stores: ["tulsa"])
        #expect(sales.maySee(taskAssignedTo: 5, inStore: "tulsa") && !sales.maySee(taskAssignedTo: 6, inStore: "tulsa"))
        #expect(!sales.maySee(taskAssignedTo: 5, inStore: "austin"))
    }
}
