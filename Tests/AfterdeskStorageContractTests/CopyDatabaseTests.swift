import AfterdeskCore
import AfterdeskDelivery
import AfterdeskDemo
import AfterdeskPostgres
import AfterdeskSQLite
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation
import Testing

/// `afterdesk copy-database`: a demo year on SQLite (with users, a token, opt-outs and consent, tasks, the outbox, a
/// stored blob, sign-in attempts) copied into PostgreSQL, and the counts, the report, its ledger, the scorecard and
/// `explain` compared on both sides; copied again, after the source changed, onto a database in use or holding other
/// data, and with a row PostgreSQL refuses midway.
@Suite(.serialized) struct CopyDatabaseTests {
    @Test func theDemoCopiesFaithfullyAndAgain() async throws {
        let f = try Fixture()
        let source = try await CopyDemo.source(in: f)
        let target = try await CopyDemo.target(f)
        defer { target.close() }
        let first = try await target.copy(from: try source.tableSource(), pageSize: 200)
        #expect(first.target == .empty && first.countDifferences.isEmpty)
        // Every table of the source is copied; the fixture leaves none of them empty but the few nothing here fills.
        #expect(first.tables.map(\.table).sorted() == (try await source.tableSource().tables()))
        let empty = Set(first.tables.filter { $0.target == 0 }.map(\.table))
        #expect(empty.isSubset(of: CopyDemo.leftEmpty), "empty: \(empty.sorted())")
        try await CopyDemo.expectSameFigures(source, target, f)
        // Bytes stay bytes; a token and a user's password hash sign in the same.
        #expect(try await target.persistGet(key: "session", now: f.now)?.value == Data([0, 1, 2, 0xFF]))
        #expect(try await target.setting("copy-test") == CopyDemo.awkwardText)
        let token = try await source.principal(tokenHash: "token-hash", now: f.now)
        #expect(token?.name == "admin")
        #expect(try await target.principal(tokenHash: "token-hash", now: f.now) == token)
        let fi = try await source.signInUser(name: "fi")
        let upper = try await target.signInUser(name: "FI")
        #expect(fi?.passwordHash == "hash:demo-fi-2026" && upper == fi)
        // Again, from the same source: the copy is replaced, nothing doubled.
        let again = try await target.copy(from: try source.tableSource())
        #expect(again.target == .replacedCopy && again.replacedCopyOf != nil)
        #expect(again.tables.map(\.target) == first.tables.map(\.target))
        try await CopyDemo.expectSameFigures(source, target, f)
        // Each identity moved past the ids copied: a row written now takes a new id.
        let id = try await target.addUser(name: "after-copy", role: .admin, staffCode: nil, store: nil, now: f.now)
        let largest = try await source.users().map(\.id).max() ?? 0
        #expect(id > largest)
        // The target is now in use: a copy is refused, and the user written stays.
        await #expect(throws: StoreError.self) { try await target.copy(from: try source.tableSource()) }
        #expect(try await target.users().contains { $0.name == "after-copy" })
    }

    @Test func aChangedSourceReplacesTheCopy() async throws {
        let f = try Fixture()
        let source = try await CopyDemo.source(in: f)
        let target = try await CopyDemo.target(f)
        defer { target.close() }
        _ = try await target.copy(from: try source.tableSource())
        let deals = try await source.counts()["deals"] ?? 0
        let file = try f.write("one-more.csv", CopyDemo.oneMoreDeal)
        _ = try await source.importDeals(files: [file], options: f.importOptions())
        _ = try await source.addOptOut(address: "+15125550177", channel: .sms, detail: "asked", by: "test", now: f.now)
        #expect(try await source.counts()["deals"] == deals + 1)
        let replaced = try await target.copy(from: try source.tableSource())
        #expect(replaced.target == .replacedCopy && replaced.countDifferences.isEmpty)
        #expect(try await target.counts()["deals"] == deals + 1)
        try await CopyDemo.expectSameFigures(source, target, f)
    }

    @Test func aTargetHoldingOtherDataIsRefusedAndLeftAlone() async throws {
        let f = try Fixture()
        let source = try await CopyDemo.source(in: f)
        let target = try await CopyDemo.target(f)
        defer { target.close() }
        try await target.addUser(name: "theirs", role: .admin, staffCode: nil, store: nil, now: f.now)
        let error = await #expect(throws: StoreError.self) { try await target.copy(from: try source.tableSource()) }
        #expect(error?.kind == .conflict && error?.message.contains("users") == true)
        #expect(try await target.users().map(\.name) == ["theirs"])
        #expect(try await target.counts()["deals"] == 0)
    }

    @Test func aCopyOfAnotherStoresDatabaseIsNotReplaced() async throws {
        let f = try Fixture()
        let source = try await CopyDemo.source(in: f)
        let target = try await CopyDemo.target(f)
        defer { target.close() }
        _ = try await target.copy(from: try source.tableSource())
        // The same tables, another dealership (its store's code differs): refused, and the copy there stays.
        let other = EditedTables(inner: try source.tableSource(), corrupt: ("stores", "code"))
        let error = await #expect(throws: StoreError.self) { try await target.copy(from: other) }
        #expect(error?.kind == .conflict && error?.message.contains("another database") == true)
        #expect(try await target.counts() == (try await source.counts()))
    }

    @Test func aRowRefusedMidwayLeavesTheTargetAsItWas() async throws {
        let f = try Fixture()
        let source = try await CopyDemo.source(in: f)
        let target = try await CopyDemo.target(f)
        defer { target.close() }
        // An outbox row whose instant PostgreSQL cannot read, after thirty tables are filled: the copy fails, naming
        // the table and never the value, and the target is as it was.
        let broken = EditedTables(inner: try source.tableSource(), corrupt: ("outbox", "created_at"))
        let error = await #expect(throws: StoreError.self) { try await target.copy(from: broken) }
        #expect(error?.message.contains("outbox") == true && error?.message.contains("not a time") == false, "\(String(describing: error))")
        #expect(try await target.counts().values.allSatisfy { $0 == 0 })
        // Nothing was recorded either: the next copy still finds the target empty.
        let good = try await target.copy(from: try source.tableSource())
        #expect(good.target == .empty)
        let before = try await CopyDemo.figures(target, f)
        // The same failure over a copy leaves that copy as it was.
        await #expect(throws: StoreError.self) {
            try await target.copy(from: EditedTables(inner: try source.tableSource(), corrupt: ("outbox", "created_at")))
        }
        #expect(CopyCheck.differences(before, try await CopyDemo.figures(target, f)).isEmpty)
        #expect(try await target.counts() == (try await source.counts()))
    }

    @Test func aTableOnOneSideOnlyRefusesTheCopy() async throws {
        let f = try Fixture()
        let source = try await CopyDemo.source(in: f)
        let target = try await CopyDemo.target(f)
        defer { target.close() }
        // A table added to SQLite's schema and not to PostgreSQL's is never silently left behind; nor the reverse.
        for (extra, hidden, named) in [("new_table", nil, "new_table"), (nil, "touches", "touches")] {
            let wrapped = EditedTables(inner: try source.tableSource(), extra: extra, hidden: hidden)
            let error = await #expect(throws: StoreError.self) { try await target.copy(from: wrapped) }
            #expect(error?.message.contains(named) == true)
        }
        #expect(try await target.counts().values.allSatisfy { $0 == 0 })
    }
}

/// A source whose tables are listed with one more, or one fewer, than it has; or whose rows of one table come with
/// one column's value replaced by text no column of that type takes.
struct EditedTables: TableSource {
    let inner: SQLiteTableSource
    var extra: String? = nil
    var hidden: String? = nil
    var corrupt: (table: String, column: String)? = nil
    var name: String { inner.name }
    func tables() async throws -> [String] {
        try await inner.tables().filter { $0 != hidden } + (extra.map { [$0] } ?? [])
    }
    func count(_ table: String) async throws -> Int { try await inner.count(table) }
    func forEachPage(of table: String, columns: [String], pageSize: Int, _ body: ([[CopyValue]]) async throws -> Void)
        async throws
    {
        guard let corrupt, corrupt.table == table, let i = columns.firstIndex(of: corrupt.column) else {
            return try await inner.forEachPage(of: table, columns: columns, pageSize: pageSize, body)
        }
        try await inner.forEachPage(of: table, columns: columns, pageSize: pageSize) { rows in
            try await body(rows.map { row in row.enumerated().map { $0.offset == i ? .text("not a time") : $0.element } })
        }
    }
}
