import AfterdeskWorkflows
import Synchronization
import Testing

/// `serve` and every command close their connections within a bound: work that ends is waited for, work that never
/// does is left behind when the limit passes (and cancelled).
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
        // A wait that ignores cancellation, as a connection that will not close does.
        let closed = await Stopping.closed(within: .milliseconds(200)) {
            await withCheckedContinuation { (_: CheckedContinuation<Void, Never>) in }
        }
        #expect(!closed)
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(200) && waited < .seconds(20))
    }
}
