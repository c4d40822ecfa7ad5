import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation
import Hummingbird
import Prometheus

/// What `/metrics` counts while the server runs (swift-prometheus): HTTP request durations by route, imports through
/// the server, dispatch runs. Gauges read from the database at each scrape (outbox by channel and status, touches by
/// status and reason, tasks) are added by `OperationsController`, so they survive a restart.
public final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
    ]

    public init() {}

    func counter(_ name: String, _ help: String, _ labels: [(String, String)] = []) -> Counter {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "afterdesk", metricName: name, unitName: "total", helpText: help), labels: labels)
    }

    /// One HTTP request: its route (the pattern, never the path a stranger typed), method and status.
    func request(route: String, method: String, status: Int, duration: Duration) {
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "afterdesk", subsystem: "http", metricName: "request_duration", unitName: "seconds",
                helpText: "HTTP request duration by route, method and status."),
            labels: [("route", route), ("method", method), ("status", "\(status)")], buckets: Self.buckets
        ).record(duration)
    }

    /// Rows read and refused by an import through the server.
    func imported(rows: Int, refused: Int) {
        counter("import_rows", "Rows read by imports through the server.").increment(by: Int64(rows))
        counter("import_refused_rows", "Rows refused by imports through the server.").increment(by: Int64(refused))
    }

    /// Whether this server holds the scheduler's lease (runs the ticks), after each claim.
    func lease(held: Bool) {
        registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "afterdesk", metricName: "scheduler_lease_held",
                helpText: "1 when this server holds the scheduler's lease and runs the ticks, 0 when it stands by."),
            labels: []
        ).set(to: held ? 1.0 : 0.0)
    }

    /// One dispatch run's counts: touches by what became of them, messages by what the provider said.
    func dispatched(_ s: DispatchSummary) {
        let help = "Due touches handled by the scheduler, by result."
        for (result, n) in [("sms", s.sms), ("email", s.email), ("task", s.tasks), ("moved", s.moved), ("skipped", s.skipped)] where n > 0 {
            counter("touches", help, [("result", result)]).increment(by: Int64(n))
        }
        let sends = "Messages handed to providers by the scheduler, by result."
        for (result, n) in [("delivered", s.delivered), ("failed", s.failed), ("dead", s.dead)] where n > 0 {
            counter("sends", sends, [("result", result)]).increment(by: Int64(n))
        }
    }

    /// A visit or a button press on a customer's offer page.
    func offer(_ kind: OfferEventKind) {
        counter("offer_events", "Offer page visits and button presses, by kind.", [("kind", kind.rawValue)]).increment()
    }

    /// The counters and histograms in Prometheus' text format.
    func text() -> String { registry.emitToString() }
}

/// Times every request into `ServerMetrics`, by its route pattern.
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let route = context.endpointPath ?? "unmatched"
        do {
            let response = try await next(request, context)
            metrics.request(
                route: route, method: request.method.rawValue, status: Int(response.status.code), duration: ContinuousClock.now - start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.request(route: route, method: request.method.rawValue, status: Int(status), duration: ContinuousClock.now - start)
            throw error
        }
    }
}
