import AfterdeskCore
import AfterdeskStorage
import Foundation
import Testing

@Suite struct ChecklistTests {
    /// Every requirement of every storage protocol is called by at least one scenario: all scenarios run through a
    /// recording storage, and the requirements it never saw are named.
    @Test func everyRequirementIsExercisedByAScenario() async throws {
        let required = try Checklist.requirements()
        let notes = Notes()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for scenario in Scenarios.all {
                group.addTask {
                    let fixture = try Fixture()
                    // The file backend: the one that keeps a sent log, so its `append` is exercised too.
                    let base = try await SQLiteFileFactory().make(clock: fixture.clock, directory: fixture.directory)
                    // A scenario that fails is reported by the contract test; the checklist goes on with the others.
                    do { try await scenario.run(RecordingStorage(base, notes: notes), fixture) } catch {
                        Issue.record("\(scenario.name): \(error)")
                    }
                }
            }
            try await group.waitForAll()
        }
        let seen = notes.all
        let missing = required.flatMap { name, keys in keys.filter { !seen.contains($0) }.map { "\(name).\($0)" } }.sorted()
        #expect(missing.isEmpty, "requirements no scenario exercises: \(missing.joined(separator: ", "))")
        // And the recording storage names only requirements the protocols declare.
        let known = Set(required.values.joined())
        #expect(seen.subtracting(known).isEmpty, "recorded keys no protocol declares: \(seen.subtracting(known).sorted())")
    }

    /// The checklist reads every protocol of `Storage` and the sent log, with their requirements.
    @Test func checklistFindsEveryProtocolAndRequirement() throws {
        let required = try Checklist.requirements()
        #expect(
            Set(required.keys) == [
                "ImportStorage", "DealStorage", "PlanStorage", "SentLog", "DispatchStorage", "InboundStorage", "TaskStorage",
                "OutcomeStorage", "OfferStorage", "AccessStorage", "ConsentStorage", "SettingsStorage", "OperationsStorage",
                "UploadStorage",
                "LockStorage", "StoreStorage", "LeaseStorage",
            ])
        let dispatch = Set(required["DispatchStorage"] ?? [])
        #expect(dispatch.isSuperset(of: ["claimOutbox(now:limit:by:)", "claimOutbox(id:now:)", "openSentLog()", "completeOutbox(_:now:)"]))
        #expect(required["OperationsStorage"]?.contains("location") == true)
        #expect(required["TaskStorage"]?.contains("taskQueue(_:answers:now:render:)") == true)
        #expect(required["ImportStorage"]?.contains("importDeals(files:options:progress:)") == true)
        #expect(
            required["UploadStorage"] == [
                "createUpload(_:)", "keepUpload(_:as:)", "removeUpload(_:)", "touchUpload(_:)", "sweepUploads(olderThan:)",
            ])
        #expect(required["ConsentStorage"]?.contains("addOptOut(address:channel:detail:by:now:)") == true)
        // Defaults in protocol extensions are not requirements.
        #expect(!(required["DispatchStorage"] ?? []).contains("dueTouches(now:limit:)"))
        #expect(required.values.joined().count > 90)
    }

    /// The parser on a protocol written here: labels, `_`, closures with arrows, generics, properties, comments.
    @Test func checklistReadsLabelsAsDeclared() {
        let source = """
            /// A protocol with a func in its comment: func notThis(x:)
            public protocol Sample: Sendable {
                var name: String? { get }
                func run(_ p: Int, by user: String?, progress: (@Sendable (Int, Int) -> Void)?, now: Date) async throws
                func pick<Value: Sendable>(_ q: [String: Int], render: @Sendable ([Int]) -> Value) -> Value
                func none() throws
            }
            extension Sample {
                public func run(now: Date) async throws {}
            }
            """
        let found = Checklist.requirements(in: source)
        #expect(found.map(\.0) == ["Sample"])
        #expect(found.first?.1 == ["name", "run(_:by:progress:now:)", "pick(_:render:)", "none()"])
    }
}
