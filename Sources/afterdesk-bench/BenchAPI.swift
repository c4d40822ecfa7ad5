import AfterdeskCore
import AfterdeskDatabases
import AfterdeskDelivery
import AfterdeskSQLite
import AfterdeskServer
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation
import GRDB

/// `afterdesk-bench api`: the server on the benchmark's database (1,000,000 deals after `import`), a salesperson with
/// 50 open tasks and a token, driven with wrk on loopback: `GET /api/v1/tasks` beside `GET /health`. The database is
/// `bench.sqlite` in `--dir`, or `--db postgres://…` (a `…bench…` database `import` filled).
enum BenchAPI {
    struct Load {
        var requestsPerSecond: Double
        var p99Milliseconds: Double
    }

    static func run(dir: String, seconds: Int, port: Int) async throws {
        let location = BenchPostgres.location ?? "\(dir)/bench.sqlite"
        guard BenchPostgres.location != nil || FileManager.default.fileExists(atPath: location) else {
            fail("run `afterdesk-bench import --rows N` (and `plan`) first")
        }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else { fail("wrk is missing: apt-get install wrk") }
        let db = try await DatabaseLocation.open(location, clock: benchClock)
        let token = try await prepare(db, location: location)
        var settings = Settings()
        settings.emailFrom = "Lakeside Motors <service@lakeside.example>"
        let dispatcher = Dispatcher(
            database: db, menu: menu, warranties: warranties, templates: try DispatchSetup.templates(directory: "templates", menu: menu),
            settings: settings, channels: .recording(RecordingChannels()), signingSecret: "bench")
        let app = try buildApplication(ServerContext(dispatcher: dispatcher, clock: benchClock), host: "127.0.0.1", port: port)
        // The same server keeping no answer: the queue as it is answered after each commit.
        var unkept = ServerContext(dispatcher: dispatcher, clock: benchClock)
        unkept.taskAnswers = PolledAnswers(capacity: 0)
        let uncached = try buildApplication(unkept, host: "127.0.0.1", port: port + 1)
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        let other = Task { try await uncached.runService(gracefulShutdownSignals: []) }
        defer {
            server.cancel()
            other.cancel()
        }
        let base = "http://127.0.0.1:\(port)"
        for url in [base, "http://127.0.0.1:\(port + 1)"] {
            for _ in 0..<100 where shell("/usr/bin/curl", ["-fs", "-o", "/dev/null", url + "/health"]).status != 0 {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        let check = shell("/usr/bin/curl", ["-fs", "-H", "Authorization: Bearer \(token)", base + "/api/v1/tasks"])
        let open = (try? JSONSerialization.jsonObject(with: Data(check.output.utf8)) as? [Any])?.count ?? -1
        guard open == 50 else { fail("the queue answered \(open) tasks, not 50: \(check.output.prefix(200))") }
        let deals = Int(try await value(location, "SELECT COUNT(*) FROM deals") ?? "") ?? 0
        print("afterdesk serve on \(deals.grouped) deals (\(DatabaseLocation.forPeople(location))); wrk -t2 -c16 -d\(seconds)s on loopback")
        let health = try wrk(base + "/health", token: nil, seconds: seconds)
        let queue = try wrk(base + "/api/v1/tasks", token: token, seconds: seconds)
        let made = try wrk("http://127.0.0.1:\(port + 1)/api/v1/tasks", token: token, seconds: seconds)
        print(String(format: "  GET /health           %8.0f requests/s, p99 %.2f ms", health.requestsPerSecond, health.p99Milliseconds))
        print(
            String(
                format: "  GET /api/v1/tasks     %8.0f requests/s, p99 %.2f ms (50 open tasks, bearer token)", queue.requestsPerSecond,
                queue.p99Milliseconds))
        print(
            String(
                format: "  GET /api/v1/tasks     %8.0f requests/s, p99 %.2f ms (every answer made, as after each commit)",
                made.requestsPerSecond, made.p99Milliseconds))
        let ratio = queue.requestsPerSecond / max(health.requestsPerSecond, 1)
        print(
            String(
                format: "  the queue at %.0f%% of the health route's rate (target: at least 50%%), p99 %.2f ms (target: under 10 ms): %@",
                ratio * 100, queue.p99Milliseconds, ratio >= 0.5 && queue.p99Milliseconds < 10 ? "met" : "NOT met"))
        server.cancel()
        other.cancel()
        await DatabaseLocation.close(db)
    }

    /// The first column of the first row of `sql` (which both dialects take) on the benchmark's database: GRDB on
    /// SQLite, psql on PostgreSQL.
    static func value(_ location: String, _ sql: String) async throws -> String? {
        if BenchPostgres.location != nil { return BenchPostgres.value(location, sql) }
        return try await DatabaseQueue(path: location).write { try String.fetchOne($0, sql: sql) }
    }

    /// A staff member BENCHQ with 50 open tasks (from touches with no task yet), a sales user for it, a fresh token.
    static func prepare(_ db: any Storage, location: String) async throws -> String {
        let store = try await value(location, "SELECT code FROM stores ORDER BY id LIMIT 1") ?? "main"
        if try await db.staff(store: store).contains(where: { $0.code == "BENCHQ" }) == false {
            _ = try await db.addStaff(
                store: store, code: "BENCHQ", name: "Bench Queue", role: .sales, timeZone: "America/Chicago", now: benchClock.now())
        }
        if try await db.users().contains(where: { $0.name == "benchsales" }) == false {
            try await db.addUser(name: "benchsales", role: .sales, staffCode: "BENCHQ", store: store, now: benchClock.now())
        }
        let staff = Int64(try await value(location, "SELECT id FROM staff WHERE staff_code = 'BENCHQ'") ?? "") ?? 0
        let open = Int(try await value(location, "SELECT COUNT(*) FROM tasks WHERE assignee_id = \(staff) AND status = 'open'") ?? "") ?? 0
        if open < 50 {
            _ = try await value(
                location,
                """
                INSERT INTO tasks (store_id, customer_id, touch_id, kind, title, detail, assignee_id, due_at, sla_at, status, created_at)
                SELECT c.store_id, t.customer_id, t.id, 'follow_up', 'Call ' || c.first_name || ' ' || c.last_name, 'bench', \(staff),
                       t.due_at, t.due_at, 'open', t.due_at
                FROM touches t JOIN customers c ON c.id = t.customer_id
                WHERE NOT EXISTS (SELECT 1 FROM tasks k WHERE k.touch_id = t.id) LIMIT \(50 - open)
                """)
        }
        var rng = SystemRandomNumberGenerator()
        let t = APITokens.generate(using: &rng)
        _ = try await db.addToken(user: "benchsales", tokenHash: t.hash, label: t.label, expiresAt: nil, now: benchClock.now())
        return t.token
    }

    static func wrk(_ url: String, token: String?, seconds: Int) throws -> Load {
        var arguments = ["-t2", "-c16", "-d\(seconds)s", "--latency"]
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        let r = shell("/usr/bin/wrk", arguments + [url])
        func number(after label: String) -> (Double, String)? {
            guard let line = r.output.split(separator: "\n").first(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix(label) })
            else {
                return nil
            }
            let value = line.trimmingCharacters(in: .whitespaces).dropFirst(label.count).trimmingCharacters(in: .whitespaces)
            let digits = value.prefix { $0.isNumber || $0 == "." }
            return Double(digits).map { ($0, String(value.dropFirst(digits.count))) }
        }
        guard let rps = number(after: "Requests/sec:"), let p99 = number(after: "99%") else { fail("wrk said: \(r.output)") }
        if r.output.contains("Non-2xx") { fail("wrk saw errors: \(r.output)") }
        let ms = p99.1.hasPrefix("us") ? p99.0 / 1000 : p99.1.hasPrefix("ms") ? p99.0 : p99.0 * 1000
        return Load(requestsPerSecond: rps.0, p99Milliseconds: ms)
    }

    static func shell(_ executable: String, _ arguments: [String]) -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return (-1, "\(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
