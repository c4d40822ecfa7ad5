import AfterdeskCore
import AfterdeskStorage
import Foundation
import Logging
import PostgresNIO

#if canImport(Glibc)
    import Glibc
#endif

extension PostgresDealImport {
    // MARK: Runs

    /// Records a file's run as running (after marking interrupted the runs of importers that died).
    func startRun(file: String, profile: String) async throws -> Int64 {
        let live = storage.clock.now()
        let beat = live.wholeSecond
        return try await storage.write { conn in
            try await PostgresDealImport.interruptStaleRuns(conn, now: live, logger: logger)
            let id = try await conn.one(
                Int64.self,
                """
                INSERT INTO import_runs (file, profile, started_at, status, pid, host, heartbeat_at)
                VALUES (\(file), \(profile), \(now), 'running', \(Int(getpid())), \(RunLiveness.host), \(beat)) RETURNING id
                """, logger)
            guard let id else { throw StoreError("the import's run could not be recorded") }
            return id
        }
    }

    func finishRun(_ id: Int64, read: Int, status: String, error: String?) async throws {
        let at = storage.clock.now().wholeSecond
        try await storage.write { conn in
            try await conn.run(
                "UPDATE import_runs SET status = \(status), finished_at = \(at), read_count = \(read), error = \(error) WHERE id = \(id)",
                logger)
        }
    }

    /// Marks 'interrupted' the runs left 'running' by a process that died (kill -9, a power cut, a machine gone): those
    /// whose heartbeat (or start, before the first beat) is older than `RunLiveness.staleAfter`, seen from any host;
    /// and, on the run's own host, at once, those whose process no longer exists.
    static func interruptStaleRuns(_ conn: PostgresConnection, now: Date, logger: Logger) async throws {
        let rows = try await conn.statement(
            "SELECT id, pid, host, started_at, heartbeat_at FROM import_runs WHERE status = 'running'", logger: logger)
        var stale: [Int64] = []
        for try await (id, pid, host, started, beat) in rows.decode((Int64, Int32, String?, Date, Date?).self) {
            if RunLiveness.isStale(lastBeat: beat ?? started, now: now) || processIsGone(pid: pid, host: host) { stale.append(id) }
        }
        guard !stale.isEmpty else { return }
        try await conn.run("UPDATE import_runs SET status = 'interrupted' WHERE id = ANY(\(stale))", logger)
    }

    /// Whether the run's process is known to be gone: another process of this host that no longer exists (a process id
    /// means nothing on another machine).
    static func processIsGone(pid: Int32, host: String?) -> Bool {
        guard host == nil || host == RunLiveness.host, pid != getpid() else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    // MARK: Stores and staff

    /// The store of `code`, created on its first deal (named as the menu's `stores:` say, after the dealership for
    /// `main`, else by its code).
    func storeID(_ conn: PostgresConnection, _ code: String) async throws -> Int64 {
        if let id = storeIDs[code] { return id }
        let name = options.menu.stores[code]?.dealership.name ?? (code == "main" ? options.menu.dealership.name : code)
        let zone = options.menu.stores[code]?.dealership.timeZone ?? storeZone
        try await conn.run(
            """
            INSERT INTO stores (code, name, time_zone, created_at) VALUES (\(code), \(name), \(zone), \(now))
            ON CONFLICT (code) DO NOTHING
            """, logger)
        guard let id = try await conn.one(Int64.self, "SELECT id FROM stores WHERE code = \(code)", logger) else {
            throw StoreError("store \(code) could not be created")
        }
        storeIDs[code] = id
        return id
    }

    /// The staff member `ref` of the store, created on first sight; a name given replaces the one stored.
    func staffID(_ conn: PostgresConnection, store: Int64, _ ref: StaffRef?, role: String) async throws -> Int64? {
        guard let ref else { return nil }
        let key = "\(store)|\(ref.id)"
        if let s = staffIDs[key], s.name == ref.name || ref.name == nil { return s.id }
        let id =
            try await conn.one(
                Int64.self,
                """
                INSERT INTO staff AS s (store_id, staff_code, name, role, created_at) VALUES (\(store), \(ref.id), \(ref.name), \(role), \(now))
                ON CONFLICT (store_id, staff_code) DO UPDATE SET name = COALESCE(excluded.name, s.name)
                RETURNING id
                """, logger) ?? 0
        staffIDs[key] = (id, ref.name)
        return id
    }
}
