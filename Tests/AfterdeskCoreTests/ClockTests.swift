import AfterdeskCore
import Foundation
import Synchronization
import Testing

@Suite struct ClockTests {
    /// A running clock starts at its instant and moves as the clock beneath it moves, never as it reads.
    @Test func aRunningClockStartsAtItsInstantAndKeepsPace() {
        let beneath = Mutex(Date(timeIntervalSince1970: 5_000))
        let live = Clock(now: { beneath.withLock { $0 } })
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let clock = Clock.running(from: start, live: live)
        #expect(clock.now() == start)
        beneath.withLock { $0 = $0.addingTimeInterval(42) }
        #expect(clock.now() == start.addingTimeInterval(42))
        #expect(Clock.fixed(start).now() == start)
    }
}
