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
}
