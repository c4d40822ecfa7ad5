import AfterdeskCore
import AfterdeskStorage
import Foundation
import GRDB

extension AfterdeskDatabase {
    public func createWebImport(userID: Int64, fileName: String, path: String, profile: String, now: Date) async throws -> Int64 {
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO web_imports (user_id, file_name, path, profile, status, created_at, host, heartbeat_at)
                    VALUES (?, ?, ?, ?, 'queued', ?, ?, ?)
                    """,
                arguments: [
                    userID, String(fileName.prefix(200)), path, profile, Instant.iso8601(now), RunLiveness.host, Instant.iso8601(now),
                ])
            return db.lastInsertedRowID
        }
    }

    /// Moves an upload's import on: `running` with rows read so far, then `done` with its summary or `failed` with why;
    /// `stores`, the stores its rows named, once it ends. Every update is a sign of life: the heartbeat moves to `now`
    /// and the host is the one updating. An import that ends `done` keeps no error (one written while it ran, by a
    /// server that took it for stopped, was wrong).
    public func updateWebImport(
        id: Int64, status: WebImportStatus, rowsRead: Int? = nil, summary: String? = nil, error: String? = nil, stores: Set<String>? = nil,
        now: Date
    ) async throws {
        let storesJSON = try stores.map { String(decoding: try JSONEncoder().encode($0.sorted()), as: UTF8.self) }
        try await writer.write { db in
            try db.execute(
                sql: """
                    UPDATE web_imports SET status = ?1, rows_read = COALESCE(?2, rows_read), summary = COALESCE(?3, summary),
                        error = CASE WHEN ?1 = 'done' THEN ?4 ELSE COALESCE(?4, error) END, stores = COALESCE(?5, stores),
                        finished_at = CASE WHEN ?1 IN ('done', 'failed') THEN ?6 ELSE finished_at END, heartbeat_at = ?6, host = ?7
                    WHERE id = ?8
                    """,
                arguments: [status.rawValue, rowsRead, summary, error, storesJSON, Instant.iso8601(now), RunLiveness.host, id])
        }
    }

    /// The upload, when `viewer` may see it (see `webImports`).
    public func webImport(id: Int64, visibleTo viewer: Principal?) async throws -> WebImportRow? {
        try await webImports(id: id, limit: 1, visibleTo: viewer).first
    }

    /// Uploads, newest first, that `viewer` may see: their own, every upload for a user of the whole group (an admin
    /// too), else only uploads whose rows all named the viewer's stores (an upload whose stores are not known yet, or
    /// that touched none — empty, refused at its header — is not among them). Nil `viewer`: all of them.
    public func webImports(id: Int64? = nil, limit: Int = 50, visibleTo viewer: Principal?) async throws -> [WebImportRow] {
        let everything = viewer?.isGroup ?? true
        let viewerStores = String(decoding: try JSONEncoder().encode(viewer?.stores ?? []), as: UTF8.self)
        return try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT w.*, u.name AS user_name FROM web_imports w JOIN users u ON u.id = w.user_id
                    WHERE (?1 IS NULL OR w.id = ?1)
                      AND (?2 OR w.user_id = ?3
                           OR (w.stores IS NOT NULL AND json_array_length(w.stores) > 0
                               AND NOT EXISTS (SELECT 1 FROM json_each(w.stores) j
                                               WHERE j.value IS NULL OR j.value NOT IN (SELECT value FROM json_each(?4)))))
                    ORDER BY w.id DESC LIMIT ?5
                    """, arguments: [id, everything, viewer?.userID, viewerStores, limit]
            ).map {
                try WebImportRow(
                    id: $0["id"], user: $0["user_name"], fileName: $0["file_name"], path: $0["path"], profile: $0["profile"],
                    status: $0.stored("status", of: "web_imports"), rowsRead: $0["rows_read"], summary: $0["summary"],
                    error: $0["error"], createdAt: $0.instant("created_at", of: "web_imports"),
                    finishedAt: $0.optionalInstant("finished_at", of: "web_imports"),
                    stores: ($0["stores"] as String?).flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) })
            }
        }
    }

    /// Imports whose server stopped in the middle of them: those queued or running whose heartbeat (or creation, before
    /// the first beat) is older than `RunLiveness.staleAfter`, failed, saying so (importing the file again is safe).
    /// An import that still beats, another server's, goes on.
    @discardableResult
    public func interruptWebImports(now: Date) async throws -> Int {
        try await writer.write { db in
            try db.execute(
                sql: """
                    UPDATE web_imports SET status = 'failed', finished_at = ?,
                        error = 'the server stopped during the import; upload the file again (importing it again is safe)'
                    WHERE status IN ('queued', 'running') AND COALESCE(heartbeat_at, created_at) < ?
                    """, arguments: [Instant.iso8601(now), Instant.iso8601(RunLiveness.staleBefore(now))])
            return db.changesCount
        }
    }

    /// A sign of life of an upload's import that is still queued or running, at the instant it is written.
    public func beatWebImport(id: Int64, rowsRead: Int?, clock: Clock) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    UPDATE web_imports SET heartbeat_at = ?, host = ?, rows_read = COALESCE(?, rows_read)
                    WHERE id = ? AND status IN ('queued', 'running')
                    """,
                arguments: [Instant.iso8601(clock.now()), RunLiveness.host, rowsRead, id])
        }
    }
}

extension AfterdeskDatabase {
    public func setWebImportPath(id: Int64, path: String) async throws {
        try await writer.write { db in try db.execute(sql: "UPDATE web_imports SET path = ? WHERE id = ?", arguments: [path, id]) }
    }
}
