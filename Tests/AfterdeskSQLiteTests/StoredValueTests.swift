import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB
import Testing

@testable import AfterdeskSQLite

/// Stored text read as a typed value: what does not parse is an integrity error naming its table, column and value,
/// never a trap and never a default. (A date or an instant that is not one: SQLite's text only; PostgreSQL's column types
/// refuse it. A status or channel outside its set: both.)
@Suite(.talliedByBackend) struct StoredValueTests {
    /// One file's deals imported into `backend` (nil: SQLite, for a test of SQLite's alone, left out of the tally).
    /// The test's folder (a new one per test case: the suite is made again for each), holding SQLite's file.
    let w: Workspace

    init() throws { w = try Workspace() }

    func imported(_ backend: TestBackend? = nil) async throws -> (Workspace, any Storage) {
        let db: any Storage = if let backend { try await w.storage(backend) } else { try w.database() }
        _ = try await db.importDeals(files: [w.path("canonical-good-and-bad.csv")], options: ImportOptions(menu: try menu()))
        return (w, db)
    }

    func corrupt(_ db: any Storage, _ sql: String) async throws {
        try await StoredSQL(db).execute(sql)
    }

    /// Outbox message `key`'s status and last error.
    func message(_ db: any Storage, _ key: String) async throws -> (status: String, error: String?)? {
        try await StoredSQL(db).rows("SELECT status, last_error FROM outbox WHERE idempotency_key = ?", [key]).first.map {
            ($0["status"], $0.optional(1, as: String.self))
        }
    }

    func integrity(_ body: () async throws -> Void) async -> String? {
        do {
            try await body()
            return nil
        } catch let e as StoreError {
            return e.kind == .integrity ? e.message : "not integrity: \(e)"
        } catch {
            return "\(error)"
        }
    }

    @Test(arguments: TestBackend.all) func aDealsDatesMoneyAndKindsReadTyped(backend: TestBackend) async throws {
        let (_, db) = try await imported(backend)
        let smith = try #require(try await db.deal(number: "D-10002"))
        #expect(smith.contractDate == LocalDate("2026-06-03") && smith.inServiceDate == LocalDate("2022-11-02"))
        #expect(smith.status == .finalized && smith.sellingPrice.cents > 0)
        #expect(try await db.listDeals(DealFilter()).contains { $0.dealNumber == "D-10002" && $0.contractDate == smith.contractDate })
    }

    @Test func aDateThatIsNotOneIsAnIntegrityError() async throws {
        let (_, db) = try await imported()
        try await corrupt(db, "UPDATE deals SET contract_date = '2026-02-30' WHERE deal_number = 'D-10002'")
        let message = await integrity { _ = try await db.deal(number: "D-10002") }
        #expect(message?.contains("deals.contract_date") == true && message?.contains("2026-02-30") == true, "\(message ?? "")")
        #expect(await integrity { _ = try await db.listDeals(DealFilter()) } != nil)
        #expect(await integrity { _ = try await db.deal(number: "D-10001") } == nil)
    }

    @Test(arguments: TestBackend.all) func aStatusOutsideItsSetIsAnIntegrityError(backend: TestBackend) async throws {
        let (_, db) = try await imported(backend)
        try await corrupt(db, "UPDATE deals SET status = 'lost' WHERE deal_number = 'D-10002'")
        let message = await integrity { _ = try await db.deal(number: "D-10002") }
        #expect(message?.contains("deals.status") == true && message?.contains("lost") == true, "\(message ?? "")")
    }

    @Test func anInstantThatIsNotOneIsAnIntegrityError() async throws {
        let (_, db) = try await imported()
        try await db.enqueue(
            [NewOutboxMessage(channel: .email, idempotencyKey: "k1", recipient: "a@example.com", subject: "s", body: "b")],
            customerID: nil, now: fixedNow)
        #expect(try await db.outbox().first?.createdAt == fixedNow)
        try await corrupt(db, "UPDATE outbox SET created_at = 'yesterday'")
        let message = await integrity { _ = try await db.outbox() }
        #expect(message?.contains("outbox.created_at") == true && message?.contains("yesterday") == true, "\(message ?? "")")
    }

    /// The claim of a page reads by position: a message whose row cannot be read becomes a dead letter naming the column
    /// and the value, and the others go.
    @Test(
        arguments: [
            (nil, "created_at", "'yesterday'", "outbox.created_at holds \"yesterday\""),
            (nil, "sent_at", "'soon'", "outbox.sent_at holds \"soon\""),
            (TestBackend.sqlite, "channel", "'pigeon'", "outbox.channel holds \"pigeon\""),
            (.postgres, "channel", "'pigeon'", "outbox.channel holds \"pigeon\""),
        ] as [(TestBackend?, String, String, String)])
    func anUnreadableMessageIsADeadLetterAndTheOthersGo(backend: TestBackend?, column: String, value: String, named: String)
        async throws
    {
        let (_, db) = try await imported(backend)
        try await db.enqueue(
            ["k1", "k2", "k3"].map {
                NewOutboxMessage(channel: .email, idempotencyKey: $0, recipient: "a@example.com", subject: "s", body: "b")
            },
            customerID: nil, now: fixedNow)
        try await corrupt(db, "UPDATE outbox SET \(column) = \(value) WHERE idempotency_key = 'k2'")
        let claimed = try await db.claimOutbox(now: fixedNow.addingTimeInterval(60), limit: 10)
        #expect(claimed.map(\.idempotencyKey) == ["k1", "k3"])
        let k2 = try await message(db, "k2")
        #expect(k2?.status == "dead")
        #expect(k2?.error?.contains(named) == true, "\(String(describing: k2))")
        // Dead, it is never claimed again.
        #expect(try await db.claimOutbox(now: fixedNow.addingTimeInterval(120), limit: 10).isEmpty)
    }

    /// A message a crashed dispatch left `sending` whose row cannot be read does not stop the reconciling every run
    /// starts with: it becomes a dead letter, and the others are found.
    @Test(arguments: TestBackend.all) func anUnreadableMessageInDoubtIsADeadLetter(backend: TestBackend) async throws {
        let (_, db) = try await imported(backend)
        try await db.enqueue(
            ["k1", "k2"].map { NewOutboxMessage(channel: .email, idempotencyKey: $0, recipient: "a@example.com", subject: "s", body: "b") },
            customerID: nil, now: fixedNow)
        #expect(try await db.claimOutbox(now: fixedNow, limit: 10).count == 2)
        try await corrupt(db, "UPDATE outbox SET channel = 'pigeon' WHERE idempotency_key = 'k2'")
        let doubtful = try await db.inDoubtOutbox(before: fixedNow.addingTimeInterval(60))
        #expect(doubtful.map(\.idempotencyKey) == ["k1"])
        let k2 = try await message(db, "k2")
        #expect(k2?.status == "dead")
        #expect(k2?.error?.contains("outbox.channel holds \"pigeon\"") == true, "\(String(describing: k2))")
    }
}
