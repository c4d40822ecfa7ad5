import Foundation

/// How a run (an import of the command line, an upload's import on a server) shows it is alive, so that a run left
/// "running" by a process that died (kill -9, a power cut, a machine gone) is recognised from any machine sharing the
/// database: a run records the host it runs on and beats, writing the instant, at least every `beatInterval`; one
/// whose last beat (or start, before its first) is older than `staleAfter` is stale, and is marked interrupted.
public enum RunLiveness {
    /// How often a running import writes its heartbeat, at least.
    public static let beatInterval: TimeInterval = 30
    /// A running run whose heartbeat is older than this is stale: four beats missed, so a busy machine's slow
    /// transaction is not mistaken for a death, and a dead run is noticed within two minutes.
    public static let staleAfter: TimeInterval = 120

    /// The host a run records: the machine's name, as `gethostname(2)` gives it (no resolver is asked, so it never
    /// waits on DNS inside a write), read once.
    public static let host: String = {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "unknown" }
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    /// Whether a run whose last sign of life was at `lastBeat` (its heartbeat, else its start) is stale at `now`.
    public static func isStale(lastBeat: Date, now: Date) -> Bool {
        now.timeIntervalSince(lastBeat) > staleAfter
    }

    /// The instant before which a last sign of life makes a run stale at `now`.
    public static func staleBefore(_ now: Date) -> Date {
        now.addingTimeInterval(-staleAfter)
    }
}
