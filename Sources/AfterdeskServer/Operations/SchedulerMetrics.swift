import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation
import Logging

/// The scheduler of `serve` (`Scheduler`, in AfterdeskWorkflows), its runs counted in `metrics` when given.
public func dispatchEvery(
    _ interval: Duration, dispatcher: Dispatcher, databasePath: String, clock: Clock, logger: Logger, metrics: ServerMetrics? = nil
) async {
    var onRun: (@Sendable (DispatchSummary) -> Void)?
    if let metrics { onRun = { summary in metrics.dispatched(summary) } }
    await Scheduler(
        interval: interval, dispatcher: dispatcher, databasePath: databasePath, clock: clock, logger: logger, onRun: onRun
    ).run()
}
