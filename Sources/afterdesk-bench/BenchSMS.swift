import AfterdeskDelivery
import AfterdeskTestSupport
import Foundation

/// `afterdesk-bench sms`: N texts through the SMS channel to the local Twilio-compatible server
/// (`Tests/Support/fake_twilio.py`, kept-alive HTTP/1.1 like the real API), `concurrency` at a time (the dispatcher
/// sends one at a time: 1). Prints the time, the process's peak thread count (`Threads:` of /proc/self/status, read
/// every 2 ms while sending) and the connections the server accepted.
enum BenchSMS {
    struct Outcome {
        var seconds: Double
        var peakThreads: Int
        var connections: Int
        var failures: Int
    }

    static func run(messages: Int, concurrency: Int) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("afterdesk-bench-sms-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let counted = dir.appendingPathComponent("connections").path
        // `Tests/Support/fake_twilio.py` on 127.0.0.1, kept alive, counting the connections it accepts.
        let server = try LocalServer(
            script: "fake_twilio.py",
            arguments: [dir.appendingPathComponent("sms.jsonl").path, "ACbench", "bench", "--keep-alive", "--connections", counted])
        let sms = TwilioSMSChannel(
            baseURL: "http://127.0.0.1:\(server.port)", accountSID: "ACbench", authToken: "bench", from: "+15125550100",
            statusCallback: "https://afterdesk.example/webhooks/sms/status")
        let before = threads()
        let sampler = ThreadSampler()
        let start = DispatchTime.now()
        let failures = await send(messages, concurrency: concurrency, through: sms)
        let elapsed = seconds(start)
        let peak = sampler.stop()
        await BenchSMS.finish()
        server.stop()
        let connections =
            Int((try? String(contentsOfFile: counted, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? -1
        print("sms: \(messages) texts, \(concurrency) at a time, \(failures) failed")
        print(String(format: "  time                %.2f s  (%.0f texts/s)", elapsed, Double(messages) / elapsed))
        print("  threads             \(before) before sending, \(peak) at most while sending (the sampler's own included)")
        print("  connections         \(connections) accepted by the server")
    }

    /// Sends `count` texts, `concurrency` lanes each sending in order; returns how many failed.
    static func send(_ count: Int, concurrency: Int, through sms: TwilioSMSChannel) async -> Int {
        await withTaskGroup(of: Int.self) { group in
            for lane in 0..<max(1, concurrency) {
                group.addTask {
                    var failed = 0
                    for i in stride(from: lane, to: count, by: max(1, concurrency)) {
                        let to = "+1512555" + String(format: "%04d", i % 10_000)
                        do {
                            _ = try await sms.send(to: to, body: "Bench text \(i). Reply STOP to opt out.", idempotencyKey: "bench-\(i)")
                        } catch {
                            failed += 1
                        }
                    }
                    return failed
                }
            }
            var failed = 0
            for await f in group { failed += f }
            return failed
        }
    }

    /// The `Threads:` line of /proc/self/status (0 where there is none).
    static func threads() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        let line = status.split(separator: "\n").first { $0.hasPrefix("Threads:") }
        return line.flatMap { Int($0.dropFirst("Threads:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
    }
}

/// Reads the thread count every 2 ms on its own thread until stopped; keeps the highest.
final class ThreadSampler: @unchecked Sendable {
    private let lock = NSLock()
    private var running = true
    private var peak = 0
    private let done = DispatchSemaphore(value: 0)

    init() {
        Thread.detachNewThread { [self] in
            while lock.withLock({ running }) {
                let n = BenchSMS.threads()
                lock.withLock { peak = max(peak, n) }
                usleep(2_000)
            }
            done.signal()
        }
    }

    func stop() -> Int {
        lock.withLock { running = false }
        done.wait()
        return lock.withLock { peak }
    }
}

extension BenchSMS {
    /// What ends the channels' use: the shared client's connections close.
    static func finish() async { await OutboundHTTP.shared.shutdown() }
}
