import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation
import Logging

extension Scheduler {
    /// The scheduler of `serve`, its runs counted in `metrics` when given.
    public static func counted(
        every interval: Duration, dispatcher: Dispatcher, clock: Clock, logger: Logger, metrics: ServerMetrics? = nil
    ) -> Scheduler {
        var onRun: (@Sendable (DispatchSummary) -> Void)?
        if let metrics { onRun = { summary in metrics.dispatched(summary) } }
        var scheduler = Scheduler(interval: interval, dispatcher: dispatcher, clock: clock, logger: logger, onRun: onRun)
        if let metrics { scheduler.onLease = { held in metrics.lease(held: held) } }
        return scheduler
    }
}
