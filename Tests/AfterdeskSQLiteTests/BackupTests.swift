import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB
import Testing

@testable import AfterdeskSQLite

/// `afterdesk backup`: a consistent copy through SQLite's online backup API while another connection writes.
@Suite struct BackupTests {
    @Test func aBackupTakenWhileWritingIsWholeAndConsistent() throws {
        let w = try Workspace()
        let db = try w.database()
        let s = try db.importDeals(files: [w.path("canonical-good-and-bad.csv")], options: ImportOptions(menu: try menu()))
        #expect(s.inserted == 4)
        // Another process's writer (its own connection) commits settings while the copy is made: each commit is
        // either wholly in the copy or not at all, and the copy passes its integrity check.
        let writer = try DatabaseQueue(path: w.path("test.sqlite"))
        let stop = Pending<Int>()
        DispatchQueue.global().async {
            var n = 0
            while n < 400 {
                try? writer.write { db in
                    try db.execute(
                        sql: "INSERT OR REPLACE INTO settings (key, value, updated_at) VALUES ('a', ?, 'now')", arguments: ["\(n)"])
                    try db.execute(
                        sql: "INSERT OR REPLACE INTO settings (key, value, updated_at) VALUES ('b', ?, 'now')", arguments: ["\(n)"])
                }
                n += 1
            }
            stop.fulfil(n)
        }
        let summary = try db.backup(to: w.path("copy.sqlite"))
        _ = stop.take()
        #expect(summary.deals == 4)
        #expect(summary.migrations == Migrations.migrator.migrations.count)
        #expect(summary.bytes > 0)
        let copy = try DatabaseQueue(path: w.path("copy.sqlite"))
        try copy.read { c in
            #expect(try String.fetchOne(c, sql: "PRAGMA integrity_check") == "ok")
            let a = try String.fetchOne(c, sql: "SELECT value FROM settings WHERE key = 'a'")
            let b = try String.fetchOne(c, sql: "SELECT value FROM settings WHERE key = 'b'")
            #expect(a == b)  // both rows of one commit, or neither
        }
        // The copy opens as a database of its own, and a second backup to the same name is refused.
        #expect(try AfterdeskDatabase(path: w.path("copy.sqlite"), clock: .fixed(fixedNow)).listDeals(DealFilter()).count == 4)
        #expect(throws: StoreError.self) { try db.backup(to: w.path("copy.sqlite")) }
        #expect(!FileManager.default.fileExists(atPath: w.path("copy.sqlite.partial")))
    }
}
