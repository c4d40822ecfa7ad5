import AfterdeskBackendTestSupport
import AfterdeskCore
import AfterdeskStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import AfterdeskSQLite
@testable import AfterdeskServer
@testable import AfterdeskWorkflows

/// `/health`: the database, and the scheduler's last successful run when the server runs one.
@Suite(.serialized, .talliedByBackend) struct HealthTests {
    @Test(arguments: TestBackend.all) func healthSays503WhenTheSchedulerIsStuck(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let clock = MovableClock(utc("2026-10-02T15:00:00Z"))
        let ctx = ServerContext(dispatcher: s.dispatcher, clock: clock.clock, schedulerInterval: .seconds(60))
        @Sendable func health(_ client: some TestClientProtocol, _ uri: String = "/health") async throws -> (
            HTTPResponse.Status, [String: String]
        ) {
            let r = try await client.execute(uri: uri, method: .get)
            return (r.status, (try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: String]) ?? [:])
        }
        try await Application(router: try buildRouter(ctx)).test(.router) { client in
            // Just started, no run yet: healthy for the first five minutes (three intervals, at least 5 minutes).
            var (status, body) = try await health(client)
            #expect(status == .ok && body["scheduler"] == "ok" && body["scheduler_last_run"] == nil)
            clock.advance(301)
            (status, body) = try await health(client)
            #expect(status == .serviceUnavailable && body["scheduler"] == "stuck" && body["status"] == "error")
            // A load balancer's check asks this server only: the scheduler is the database's, the same on every server.
            (status, body) = try await health(client, "/health?scope=server")
            #expect(status == .ok && body["database"] == "ok" && body["scheduler"] == nil)
            // A run succeeds (the scheduler writes the setting): healthy again, saying when.
            try await s.db.setSetting(Scheduler.lastRunKey, Instant.iso8601(clock.now))
            (status, body) = try await health(client)
            #expect(status == .ok && body["scheduler_last_run"] == "2026-10-02T15:05:01Z")
            clock.advance(299)
            #expect(try await health(client).0 == .ok)
            clock.advance(2)
            #expect(try await health(client).0 == .serviceUnavailable)
        }
    }

    @Test(arguments: TestBackend.all) func theSchedulerRecordsItsLastSuccessfulRun(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let at = utc("2026-10-02T15:00:00Z")
        let task = Task {
            await Scheduler(interval: .seconds(3600), dispatcher: s.dispatcher, clock: .fixed(at), logger: .init(label: "t")).run()
        }
        for _ in 0..<200 where try await s.db.setting(Scheduler.lastRunKey) == nil { try await Task.sleep(for: .milliseconds(20)) }
        // Its round ended before the case does: what it still writes must not outlive the case's database.
        task.cancel()
        await task.value
        #expect(try await s.db.setting(Scheduler.lastRunKey) == "2026-10-02T15:00:00Z")
    }
}

/// `serve --log-format json`: one JSON object per line.
@Suite struct JSONLogTests {
    @Test func aLineIsOneJSONObjectWithItsMetadata() throws {
        let line = JSONLogHandler.line(
            at: Date(timeIntervalSince1970: 0), level: .warning, label: "afterdesk", message: "sign-in \"locked\"\nout",
            metadata: ["user": "vosei", "count": .stringConvertible(5), "list": .array(["a", "b"])], source: "AfterdeskServer")
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["at"] as? String == "1970-01-01T00:00:00Z")
        #expect(object["level"] as? String == "warning")
        #expect(object["message"] as? String == "sign-in \"locked\"\nout")
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["user"] as? String == "vosei")
        #expect(metadata["count"] as? String == "5")
        #expect(metadata["list"] as? [String] == ["a", "b"])
    }

    @Test func theHandlerWritesWhatTheLoggerSays() {
        let lines = CapturedLog()
        var logger = Logger(label: "t") { JSONLogHandler(label: $0, write: { lines.append($0) }) }
        logger[metadataKey: "store"] = "main"
        logger.info("dispatch", metadata: ["sent": "3"])
        logger.debug("not shown at info")
        #expect(lines.text.hasPrefix("{\"at\":"))
        #expect(lines.text.contains("\"metadata\":{\"sent\":\"3\",\"store\":\"main\"}"))
        #expect(!lines.text.contains("not shown"))
    }
}

/// `/metrics`: request durations by route pattern, and the gauges read from the database.
@Suite(.serialized, .talliedByBackend) struct MetricsTests {
    @Test(arguments: TestBackend.all) func metricsCountRequestsByRouteAndReadTheDatabase(backend: TestBackend) async throws {
        let s = try await Scenario(backend: backend)
        let ana = try #require(try await s.touches("D-3").first)
        let run = try await s.dispatcher.run(now: utc(ana.due))
        #expect(run.tasks == 1)
        let ctx = ServerContext(dispatcher: s.dispatcher, clock: .fixed(utc(ana.due)))
        ctx.metrics.dispatched(run)
        ctx.metrics.imported(rows: 3, refused: 1)
        try await Application(router: try buildRouter(ctx)).test(.router) { client in
            _ = try await client.execute(uri: "/health", method: .get)
            _ = try await client.execute(uri: "/tasks/12345", method: .get)  // a route pattern, not the id
            _ = try await client.execute(uri: "/no/such/path/\(UUID().uuidString)", method: .get)
            let text = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(text.contains(#"afterdesk_http_request_duration_seconds_count{route="/health",method="GET",status="200"} 1"#))
            #expect(text.contains(#"route="/tasks/{id}",method="GET",status="303""#))
            // The samples without their values: a duration's digits may hold any number.
            let labels = text.split(separator: "\n").map { $0.split(separator: " ").dropLast().joined(separator: " ") }
                .joined(separator: "\n")
            #expect(!labels.contains("12345"))
            #expect(!text.contains("/no/such/path"))
            #expect(text.contains(#"afterdesk_touches_total{result="task"} 1"#))
            #expect(text.contains("afterdesk_import_rows_total 3"))
            #expect(text.contains("afterdesk_import_refused_rows_total 1"))
            #expect(text.contains(#"afterdesk_touches{status="sent"}"#))
            #expect(text.contains("afterdesk_open_tasks 1"))
            // No customer data: names, phones, emails.
            #expect(!text.contains("Ruiz") && !labels.contains("555") && !text.contains("5550142") && !text.contains("@"))
        }
    }

    @Test func labelValuesAreEscaped() {
        #expect(OperationsController.label("a\"b\\c\nd") == #"a\"b\\c\nd"#)
    }
}
