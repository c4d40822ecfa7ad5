import AfterdeskCore
import AfterdeskStorage
import Foundation
import PostgresNIO

extension PostgresStorage {
    public func createWebImport(userID: Int64, fileName: String, path: String, profile: String, now: Date) async throws -> Int64 {
        let at = now.wholeSecond
        return try await write { conn in
            let id = try await conn.one(
                Int64.self,
                """
                INSERT INTO web_imports (user_id, file_name, path, profile, status, created_at, host, heartbeat_at)
                VALUES (\(userID), \(String(fileName.prefix(200))), \(path), \(profile), 'queued', \(at), \(RunLiveness.host), \(at))
                RETURNING id
                """, logger)
            guard let id else { throw StoreError("the upload's import could not be recorded") }
            return id
        }
    }

    /// Moves an upload's import on: `running` with rows read so far, then `done` with its summary or `failed` with why;
    /// `stores`, the stores its rows named, once it ends. Every update is a sign of life: the heartbeat moves to `now`
    /// and the host is the one updating. An import that ends `done` keeps no error (one written while it ran, by a
    /// server that took it for stopped, was wrong).
    public func updateWebImport(
        id: Int64, status: WebImportStatus, rowsRead: Int?, summary: String?, error: String?, stores: Set<String>?, now: Date
    ) async throws {
        let storesJSON = try stores.map { String(decoding: try JSONEncoder().encode($0.sorted()), as: UTF8.self) }
        let at = now.wholeSecond
        let ended = status == .done || status == .failed
        try await write { conn in
            try await conn.run(
                """
                UPDATE web_imports SET status = \(status.rawValue), rows_read = COALESCE(\(rowsRead)::int8, rows_read),
                    summary = COALESCE(\(summary)::text, summary),
                    error = CASE WHEN \(status == .done) THEN \(error)::text ELSE COALESCE(\(error)::text, error) END,
                    stores = COALESCE(\(storesJSON)::jsonb, stores),
                    finished_at = CASE WHEN \(ended) THEN \(at) ELSE finished_at END, heartbeat_at = \(at), host = \(RunLiveness.host)
                WHERE id = \(id)
                """, logger)
        }
    }

    /// The upload, when `viewer` may see it (see `webImports`).
    public func webImport(id: Int64, visibleTo viewer: Principal?) async throws -> WebImportRow? {
        try await webImports(id: id, limit: 1, visibleTo: viewer).first
    }

    /// Uploads, newest first, that `viewer` may see: their own, every upload for a user of the whole group (an admin
    /// too), else only uploads whose rows all named the viewer's stores (an upload whose stores are not known yet, or
    /// that touched none — empty, refused at its header — is not among them). Nil `viewer`: all of them.
    public func webImports(id: Int64?, limit: Int, visibleTo viewer: Principal?) async throws -> [WebImportRow] {
        let everything = viewer?.isGroup ?? true
        // A negative limit is no limit, as in SQLite.
        let limit: Int64? = limit < 0 ? nil : Int64(limit)
        return try await read { conn in
            let rows = try await conn.statement(
                """
                SELECT w.id, u.name, w.file_name, w.path, w.profile, w.status, w.rows_read, w.summary, w.error, w.created_at,
                       w.finished_at, w.stores::text
                FROM web_imports w JOIN users u ON u.id = w.user_id
                WHERE (\(id)::int8 IS NULL OR w.id = \(id))
                  AND (\(everything) OR w.user_id = \(viewer?.userID)::int8
                       OR (w.stores IS NOT NULL AND jsonb_array_length(w.stores) > 0
                           AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements_text(w.stores) j(value)
                                           WHERE j.value IS NULL OR j.value <> ALL(\(viewer?.stores ?? [])::text[]))))
                ORDER BY w.id DESC LIMIT \(limit)::int8
                """, logger: logger)
            var out: [WebImportRow] = []
            for try await (id, user, fileName, path, profile, status, rowsRead, summary, error, created, finished, stores) in rows.decode(
                (Int64, String, String, String, String, String, Int, String?, String?, Date, Date?, String?).self)
            {
                out.append(
                    WebImportRow(
                        id: id, user: user, fileName: fileName, path: path, profile: profile,
                        status: try known(status, "web_imports", "status"), rowsRead: rowsRead, summary: summary, error: error,
                        createdAt: created, finishedAt: finished,
                        stores: stores.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) }))
            }
            return out
        }
    }

    /// Imports whose server stopped in the middle of them: those queued or running whose heartbeat (or creation, before
    /// the first beat) is older than `RunLiveness.staleAfter`, failed, saying so (importing the file again is safe).
    /// An import that still beats, another server's, goes on.
    @discardableResult
    public func interruptWebImports(now: Date) async throws -> Int {
        let at = now.wholeSecond
        let staleBefore = RunLiveness.staleBefore(now).wholeSecond
        return try await write { conn in
            let ids = try await conn.all(
                Int64.self,
                """
                UPDATE web_imports SET status = 'failed', finished_at = \(at),
                    error = 'the server stopped during the import; upload the file again (importing it again is safe)'
                WHERE status IN ('queued', 'running') AND COALESCE(heartbeat_at, created_at) < \(staleBefore)
                RETURNING id
                """, logger)
            return ids.count
        }
    }

    /// A sign of life of an upload's import that is still queued or running, at the instant it is written.
    public func beatWebImport(id: Int64, rowsRead: Int?, clock: Clock) async throws {
        try await write { conn in
            try await conn.run(
                """
                UPDATE web_imports SET heartbeat_at = \(clock.now().wholeSecond), host = \(RunLiveness.host),
                    rows_read = COALESCE(\(rowsRead)::bigint, rows_read)
                WHERE id = \(id) AND status IN ('queued', 'running')
                """, logger)
        }
    }

    public func setWebImportPath(id: Int64, path: String) async throws {
        try await write { conn in try await conn.run("UPDATE web_imports SET path = \(path) WHERE id = \(id)", logger) }
    }
}
