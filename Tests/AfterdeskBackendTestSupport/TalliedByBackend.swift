import Foundation
import Synchronization
import Testing

/// The backends a test case made storage on (`TestBackend.make`), and the PostgreSQL databases it made, noted while
/// it runs (`TalliedByBackend`).
final class BackendsUsed: Sendable {
    @TaskLocal static var current: BackendsUsed?
    private let used = Mutex<Set<TestBackend>>([])
    private let databases = Mutex<[String]>([])

    static func note(_ backend: TestBackend) { _ = current?.used.withLock { $0.insert(backend) } }
    static func note(database: String) { current?.databases.withLock { $0.append(database) } }
    var backends: Set<TestBackend> { used.withLock { $0 } }
    var madeDatabases: [String] { databases.withLock { $0 } }
}

/// A suite's trait: each of its test cases that ends without an error is counted, in `BackendTally`, for every
/// backend it made a storage on. (A failed expectation fails the run itself; the tally says how many cases each
/// backend ran to the end, so that a missing PostgreSQL, or tests that quietly stopped taking it, fail the run.)
public struct TalliedByBackend: SuiteTrait, TestTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        // Only the cases of tests parameterized by backend count: a test left on one backend (about SQLite itself) in
        // a tallied suite would otherwise tip the balance the tally checks.
        guard testCase != nil, test.isParameterized else { return try await function() }
        let used = BackendsUsed()
        var failure: (any Error)?
        do { try await BackendsUsed.$current.withValue(used) { try await function() } } catch { failure = error }
        // The case's PostgreSQL databases go with it (the cluster would otherwise keep hundreds of them).
        for name in used.madeDatabases { try? await PostgresTestDatabases.shared.drop(name) }
        if let failure { throw failure }
        for backend in used.backends {
            try BackendTally.passed(backend: backend.rawValue, test: "\(test.id)")
        }
    }
}

extension Trait where Self == TalliedByBackend {
    /// Count this suite's cases per backend (see `TalliedByBackend`).
    public static var talliedByBackend: Self { TalliedByBackend() }
}
