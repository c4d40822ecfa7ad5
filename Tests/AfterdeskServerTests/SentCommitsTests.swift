import AfterdeskCore
import AfterdeskStorage
import Foundation
import Testing

@testable import AfterdeskWorkflows

/// `SentCommits`: on a backend without a sent log, the results of emails and webhooks sent while a commit is in flight
/// go together in the next commit, every one committed by `drain`; a failed commit stops the page.
@Suite struct SentCommitsTests {
    /// The batches a commit was given, in order.
    actor Batches {
        var seen: [[Int64]] = []
        func add(_ ids: [Int64]) -> Int {
            seen.append(ids)
            return seen.count
        }
    }

    @Test func resultsSentDuringACommitGoTogetherInTheNext() async throws {
        let batches = Batches()
        let (started, starts) = AsyncStream.makeStream(of: Void.self)
        let (release, releases) = AsyncStream.makeStream(of: Void.self)
        let commits = SentCommits { batch in
            let n = await batches.add(batch.map(\.id))
            starts.yield()
            // The first commit is held until the test lets it end.
            if n == 1 { for await _ in release { break } }
        }
        try await commits.add(id: 1, result: .sent(providerID: "m1@afterdesk"))
        var running = started.makeAsyncIterator()
        _ = await running.next()
        try await commits.add(id: 2, result: .sent(providerID: "m2@afterdesk"))
        try await commits.add(id: 3, result: .sent(providerID: "m3@afterdesk"))
        #expect(await batches.seen == [[1]])
        releases.yield()
        try await commits.drain()
        #expect(await batches.seen == [[1], [2, 3]])
        // Nothing pending: drain returns at once, and nothing more is committed.
        try await commits.drain()
        #expect(await batches.seen.count == 2)
    }

    @Test func aFailedCommitStopsThePage() async throws {
        let commits = SentCommits { _ in throw StoreError.io("the connection was lost") }
        try await commits.add(id: 1, result: .sent(providerID: "m1@afterdesk"))
        await #expect(throws: StoreError.io("the connection was lost")) { try await commits.drain() }
        await #expect(throws: StoreError.io("the connection was lost")) { try await commits.check() }
        await #expect(throws: StoreError.io("the connection was lost")) {
            try await commits.add(id: 2, result: .sent(providerID: "m2@afterdesk"))
        }
    }
}
