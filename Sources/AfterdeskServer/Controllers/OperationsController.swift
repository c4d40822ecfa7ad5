import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation
import Hummingbird

/// `/health` and `/metrics`: what an IT person's monitoring reads.
struct OperationsController: Sendable {
    let ctx: ServerContext

    func addRoutes(to router: RouterGroup<AppRequestContext>) {
        router.get("/health") { request, _ -> Response in
            await health(serverOnly: request.uri.queryParameters["scope"] == "server")
        }
        router.get("/metrics") { _, _ -> Response in try await metrics() }
    }

    /// The database answers, and the scheduler (when this server runs it) succeeded recently: 200, else 503 saying
    /// which. `serverOnly` (`?scope=server`, a load balancer's check) leaves the scheduler out: its state is the
    /// database's, the same on every server, so a stuck scheduler must not take every server out of the balancer.
    func health(serverOnly: Bool = false) async -> Response {
        var body: [String: String] = ["status": "ok", "database": "ok"]
        var healthy = true
        var lastRun: Date?
        do {
            // Reading the scheduler's setting is the database check: one indexed row, whatever the database's size.
            lastRun = try await ctx.database.setting(Scheduler.lastRunKey).flatMap(Instant.parse)
        } catch {
            body["database"] = "error"
            healthy = false
        }
        if let lastRun { body["scheduler_last_run"] = Instant.iso8601(lastRun) }
        if !serverOnly, let interval = ctx.schedulerInterval {
            let limit = max(3 * TimeInterval(interval.components.seconds), 300)
            let since = ctx.clock.now().timeIntervalSince(lastRun.map { max($0, ctx.startedAt) } ?? ctx.startedAt)
            let stuck = since > limit
            body["scheduler"] = stuck ? "stuck" : "ok"
            if stuck { healthy = false }
        }
        if !healthy { body["status"] = "error" }
        return json(body, status: healthy ? .ok : .serviceUnavailable)
    }

    /// Prometheus text: the counters and request durations of this process, then gauges read from the database.
    func metrics() async throws -> Response {
        var text = ctx.metrics.text()
        let counts = try await ctx.database.monitoringCounts()
        text += "# HELP afterdesk_outbox_messages Messages in the outbox by status.\n# TYPE afterdesk_outbox_messages gauge\n"
        for (status, n) in await (try ctx.database.outboxCounts()).sorted(by: { $0.key < $1.key }) {
            text += "afterdesk_outbox_messages{status=\"\(status)\"} \(n)\n"
        }
        text += "# HELP afterdesk_outbox_by_channel Messages in the outbox by channel and status.\n"
        text += "# TYPE afterdesk_outbox_by_channel gauge\n"
        for o in counts.outbox {
            text += "afterdesk_outbox_by_channel{channel=\"\(Self.label(o.channel))\",status=\"\(Self.label(o.status))\"} \(o.count)\n"
        }
        text += "# HELP afterdesk_touches Touches by status.\n# TYPE afterdesk_touches gauge\n"
        for t in counts.touches { text += "afterdesk_touches{status=\"\(Self.label(t.status))\"} \(t.count)\n" }
        text += "# HELP afterdesk_touches_skipped Skipped touches by reason (the 20 most frequent).\n"
        text += "# TYPE afterdesk_touches_skipped gauge\n"
        for r in counts.skipped { text += "afterdesk_touches_skipped{reason=\"\(Self.label(r.reason))\"} \(r.count)\n" }
        let tasks = try await ctx.database.taskCounts(now: ctx.clock.now())
        text += "# HELP afterdesk_open_tasks Open tasks.\n# TYPE afterdesk_open_tasks gauge\n"
        text += "afterdesk_open_tasks \(tasks.open)\n"
        text += "# HELP afterdesk_overdue_tasks Open tasks past their SLA.\n# TYPE afterdesk_overdue_tasks gauge\n"
        text += "afterdesk_overdue_tasks \(tasks.overdue)\n"
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A label value as the text format needs it: backslash, quote and newline escaped.
    static func label(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(
            of: "\n", with: "\\n")
    }
}
