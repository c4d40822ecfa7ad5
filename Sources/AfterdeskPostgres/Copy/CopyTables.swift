import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import NIOCore
import PostgresNIO

extension PostgresStorage {
    /// Copies one table's rows from `source`, a page at a time through one `COPY`; its rows in the source and, after,
    /// in the target. Rows a trigger put in the table while earlier tables were copied are deleted first (a plain
    /// DELETE: a table that refuses one keeps refusing, and the copy with it).
    func copyTable(
        _ conn: PostgresConnection, _ table: CopyCatalog.Table, from source: any TableSource, pageSize: Int,
        progress: CopyProgress?
    ) async throws -> CopySummary.TableCount {
        let q = CopyCatalog.quoted(table.name)
        let expected = try await source.count(table.name)
        if try await conn.one(Bool.self, PostgresQuery(unsafeSQL: "SELECT EXISTS (SELECT 1 FROM \(q))"), logger) == true {
            try await conn.run(PostgresQuery(unsafeSQL: "DELETE FROM \(q)"), logger)
        }
        if expected > 0 {
            let names = table.columns.map(\.name)
            let types = table.columns.map(\.type)
            var written = 0
            do {
                try await conn.watched(what: "COPY \(table.name)") {
                    try await conn.copyFrom(table: table.name, columns: names, logger: logger) { writer in
                        try await source.forEachPage(of: table.name, columns: names, pageSize: pageSize) { rows in
                            var buffer = ByteBufferAllocator().buffer(capacity: rows.count * 128)
                            for row in rows { CopyText.append(row, types: types, to: &buffer) }
                            try await writer.write(buffer)
                            written += rows.count
                            progress?(table.name, written, expected)
                        }
                    }
                }
            } catch let closed as PostgresFailure {
                // The connection closed before the copy was written (`checkOpen`): no row was refused.
                throw closed
            } catch {
                throw StoreError.integrity(
                    "PostgreSQL refused a row of \(table.name): \(Self.said(error)): the copy was rolled back, and the target is as it was")
            }
        }
        let target = try await conn.one(Int.self, PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(q)"), logger) ?? 0
        return CopySummary.TableCount(table: table.name, source: expected, target: target)
    }

    /// What PostgreSQL said of a refused row: its message and where (the line and column of the COPY), never the
    /// detail, which may quote the row.
    static func said(_ error: any Error) -> String {
        let inner = (error as? PostgresTransactionError)?.closureError ?? error
        if let e = inner as? PSQLError, let message = e.serverInfo?[.message] {
            // 'invalid input syntax for type date: "…"', 'value "…" is out of range for type integer' and "COPY deals,
            // line 5, column contract_date: \"…\"": what and where, every quoted value taken out.
            let what = Self.withoutQuotedValues(message)
            let context = e.serverInfo?[.locationContext]?.split(separator: ":").first.map { " (\($0))" } ?? ""
            return what + context
        }
        if let e = inner as? StoreError { return e.message }
        return "\(PostgresErrors.mapped(inner))"
    }

    /// `message` with every double-quoted part replaced by `"…"`: a server's message may quote the row's value.
    static func withoutQuotedValues(_ message: String) -> String {
        message.replacingOccurrences(of: #""[^"]*"?"#, with: "\"…\"", options: .regularExpression)
    }

    /// Moves each identity's sequence past the largest id copied, so the next row written takes the next id.
    func moveIdentities(_ conn: PostgresConnection, _ catalog: CopyCatalog) async throws {
        for table in catalog.tables {
            guard let id = table.identity else { continue }
            let (q, c) = (CopyCatalog.quoted(table.name), CopyCatalog.quoted(id))
            let sql = """
                SELECT setval(pg_get_serial_sequence('\(q)', '\(id)'), max(\(c))) FROM \(q) HAVING max(\(c)) IS NOT NULL
                """
            try await conn.run(PostgresQuery(unsafeSQL: sql), logger)
        }
    }

    /// The tables' rows as they stand, in a few words: per table, a line of its name, its count, and the sum of its
    /// rows' 64-bit hashes (of each row's text). Any row written, changed or deleted changes it (but for a collision).
    func fingerprint(_ conn: PostgresConnection, _ catalog: CopyCatalog) async throws -> String {
        var lines: [String] = []
        for table in catalog.tables {
            let q = CopyCatalog.quoted(table.name)
            let sql = "SELECT count(*)::text || ' ' || coalesce(sum(hashtextextended(t::text, 0)), 0)::text FROM \(q) AS t"
            let line = try await conn.one(String.self, PostgresQuery(unsafeSQL: sql), logger) ?? ""
            lines.append("\(table.name) \(line)")
        }
        return lines.joined(separator: "\n")
    }
}
