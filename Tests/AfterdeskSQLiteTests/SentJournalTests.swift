import AfterdeskCore
import AfterdeskStorage
import Foundation
import Testing

@testable import AfterdeskSQLite

@Suite struct SentJournalTests {
    /// A send noted in the journal whose page was never committed (the process was killed) is marked sent by the
    /// next dispatch's replay, not left in doubt to be sent again; a line cut short by the crash is not an entry.
    @Test func replayMarksJournaledSendsSentAndIgnoresATornLine() async throws {
        let w = try Workspace()
        let db = try w.database()
        let now = ISO8601DateFormatter().date(from: "2026-11-20T17:00:00Z")!
        try await db.enqueue(
            (1...3).map {
                NewOutboxMessage(
                    channel: .email, idempotencyKey: "k\($0)", recipient: "a\($0)@example.com",
                    subject: "s", body: "b")
            }, customerID: nil, now: now)
        let claimed = try await db.claimOutbox(now: now, limit: 10)
        #expect(claimed.map(\.status) == [.sending, .sending, .sending])
        let journal = try #require(db.openSentJournal())
        try journal.append(id: claimed[0].id, providerID: "k1@afterdesk")
        try journal.append(id: claimed[1].id, providerID: "k2\t@afterdesk")  // a tab cannot split the line
        // The third send was being noted when the process died: half a line.
        let handle = try #require(FileHandle(forWritingAtPath: journal.path))
        handle.seekToEndOfFile()
        handle.write(Data("\(claimed[2].id)\tk3@af".utf8))
        try handle.close()
        #expect(try journal.entries().map(\.id) == [claimed[0].id, claimed[1].id])

        // A new process: the journal is read again from the file.
        let again = try #require(try w.database().openSentJournal())
        #expect(try await w.database().settleSentLog(now: now) == 2)
        let byID = await Dictionary(uniqueKeysWithValues: try db.outbox().map { ($0.id, $0) })
        #expect(byID[claimed[0].id]?.status == .sent && byID[claimed[0].id]?.providerID == "k1@afterdesk")
        #expect(byID[claimed[1].id]?.status == .sent && byID[claimed[1].id]?.providerID == "k2 @afterdesk")
        #expect(byID[claimed[2].id]?.status == .sending)  // still in doubt
        #expect(try again.entries().isEmpty)
        // Replaying an emptied journal, or one naming messages already settled, changes nothing.
        try again.append(id: claimed[0].id, providerID: "other")
        #expect(try await db.settleSentLog(now: now) == 0)
        #expect(try await db.outbox().first { $0.id == claimed[0].id }?.providerID == "k1@afterdesk")
    }
}
