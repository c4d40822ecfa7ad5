import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB
import Testing

@testable import AfterdeskSQLite

/// The ledger's streams are merged in Swift by (deal, product), so Swift must order product codes as the database does
/// (SQLite's BINARY collation; PostgreSQL's product codes are `COLLATE "C"`), or a stream's rows would be skipped.
@Suite(.talliedByBackend) struct LedgerStreamTests {
    @Test(arguments: TestBackend.all) func productCodesSortAsTheDatabaseSortsThem(backend: TestBackend) async throws {
        var rng = SeededRandom(seed: 21)
        let alphabet = ["a", "b", "z", "_", "A", "0", "é", "ß", "日", "-"]
        var codes = ["", "vsc", "vsc_plus", "gap", "tire_wheel", "appearance", "maintenance", "a_very_long_product_code_name"]
        for _ in 0..<200 {
            codes.append((0..<Int.random(in: 1...18, using: &rng)).map { _ in rng.pick(alphabet) }.joined())
        }
        let w = try Workspace()
        let sql = StoredSQL(try await w.storage(backend))
        try await sql.execute(
            sql.backend == .sqlite ? "CREATE TABLE c (code TEXT NOT NULL)" : "CREATE TABLE c (code text COLLATE \"C\" NOT NULL)")
        try await sql.execute("INSERT INTO c VALUES " + codes.map { _ in "(?)" }.joined(separator: ", "), codes)
        let sorted = try await sql.rows("SELECT code FROM c ORDER BY code").map { $0[0] as String }
        #expect(sorted.count == codes.count)
        for (a, b) in zip(sorted, sorted.dropFirst()) {
            let x = StreamKey(deal: 7, product: a)
            let y = StreamKey(deal: 7, product: b)
            #expect(!(y < x), "\(b) before \(a)")
            #expect((x < y) == (a != b), "\(a) vs \(b)")
        }
        #expect(StreamKey(deal: 6, product: "z") < StreamKey(deal: 7, product: "a"))
        #expect(!(StreamKey(deal: 7, product: "a") < StreamKey(deal: 7, product: "a")))
    }

    @Test func instantsParseFromBytesAsFromText() {
        for text in ["2026-11-22T14:46:05Z", "1999-12-31T23:59:59Z", "2026-13-01T00:00:00Z", "2026-11-22T24:61:05Z", "x", ""] {
            var t = text
            let fromBytes = t.withUTF8 { Instant.parse(bytes: $0) }
            #expect(fromBytes == (text.count == 20 ? Instant.parse(text) : nil), "\(text)")
        }
        #expect(Instant.parse("2026-11-22T14:46:05Z")?.timeIntervalSince1970 == 1_795_358_765)
    }
}
