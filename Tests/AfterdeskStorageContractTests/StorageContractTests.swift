import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskPostgres
import AfterdeskStorage
import Foundation
import Testing

/// One scenario of the contract: what a storage must do, through the protocols only.
typealias Scenario = @Sendable (any Storage, Fixture) async throws -> Void

/// Every scenario by name, area by area.
enum Scenarios {
    static var all: [(name: String, run: Scenario)] {
        importArea + planArea + dispatchArea + outboxArea + tasksArea + consentArea + outcomesArea + scorecardArea + offersArea
            + accessArea + settingsArea + uploadsArea + coordinationArea + leasesArea
    }
    static var names: [String] { all.map(\.name) }
    static func named(_ name: String) -> Scenario? { all.first { $0.name == name }?.run }
}

@Suite struct StorageContractTests {
    /// Every scenario against every backend, each on a fresh storage whose clock is fixed at the fixture's `now`.
    @Test(arguments: Backends.all, Scenarios.names)
    func contract(_ backend: any StorageFactory, _ scenario: String) async throws {
        let fixture = try Fixture()
        let storage = try await backend.make(clock: fixture.clock, directory: fixture.directory)
        let run = try #require(Scenarios.named(scenario))
        defer { (storage as? PostgresStorage)?.close() }  // its connections go now, not whenever the value is freed
        try await run(storage, fixture)
        try BackendTally.passed(backend: backend.name, test: scenario)
    }

    @Test func scenarioNamesAreUnique() {
        #expect(Set(Scenarios.names).count == Scenarios.names.count)
    }
}
