import AfterdeskWorkflows
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// `serve` and every command stop within bounds: connections closing are waited for a while and then left; the
/// watchdog ends a stop that takes too long, timed from the signal.
@Suite struct StoppingTests {
    @Test func closingThatEndsIsWaitedFor() async {
        let ran = Mutex(false)
        let closed = await Stopping.closed(within: .seconds(30)) {
            try? await Task.sleep(for: .milliseconds(20))
            ran.withLock { $0 = true }
        }
        #expect(closed)
        #expect(ran.withLock { $0 })
    }

    @Test func closingThatNeverEndsIsLeftAfterTheLimit() async {
        let started = ContinuousClock.now
        // A wait that ignores cancellation and never ends while the test runs, as a connection that will not close.
        let (never, keep) = AsyncStream<Void>.makeStream()
        let closed = await Stopping.closed(within: .milliseconds(200)) {
            await Task.detached { for await _ in never {} }.value
        }
        #expect(!closed)
        #expect(ContinuousClock.now - started >= .milliseconds(200))
        keep.finish()
    }

    /// A caller cancelled (a stop cancels the scheduler's task) still waits for what it closes, up to the limit.
    @Test func aCancelledCallerStillWaitsForTheClosing() async {
        let ran = Mutex(false)
        let waiting = Task {
            await Stopping.closed(within: .seconds(30)) {
                await Task.detached { try? await Task.sleep(for: .milliseconds(300)) }.value
                ran.withLock { $0 = true }
            }
        }
        waiting.cancel()
        #expect(await waiting.value)
        #expect(ran.withLock { $0 })
    }

    /// A service that ignores the group's stop for a while, as a page in flight on a slow database does.
    struct Stubborn: Service {
        func run() async throws {
            try? await gracefulShutdown()
            await Task.detached { try? await Task.sleep(for: .seconds(3)) }.value
        }
    }

    @Test func theWatchdogEndsAStopThatTakesTooLongTimedFromTheSignal() async throws {
        let (exits, exit) = AsyncStream<ContinuousClock.Instant>.makeStream()
        let exited = Mutex(false)
        let watchdog = StopWatchdog(deadline: .milliseconds(300), logger: Logger(label: "test")) {
            exited.withLock { $0 = true }
            exit.yield(.now)
        }
        let group = ServiceGroup(services: [Stubborn(), watchdog], logger: Logger(label: "test"))
        let running = Task { try await group.run() }
        // Running, however long: the watchdog waits for the signal.
        try await Task.sleep(for: .milliseconds(500))
        #expect(!exited.withLock { $0 })
        let signalled = ContinuousClock.now
        await group.triggerGracefulShutdown()
        // Its exit, or none within 30 s (a loaded machine is slow, never that slow).
        let none = Task {
            try? await Task.sleep(for: .seconds(30))
            exit.finish()
        }
        var exitedAt: ContinuousClock.Instant?
        for await at in exits {
            exitedAt = at
            break
        }
        none.cancel()
        let at = try #require(exitedAt)
        #expect(at - signalled >= .milliseconds(300))
        running.cancel()
        _ = try? await running.value
    }
}
