import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AfterdeskSQLite
@testable import AfterdeskServer
@testable import AfterdeskWorkflows

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A raw TCP connection to 127.0.0.1, non-blocking, read by polling (the test never blocks a thread of the pool the
/// server answers on).
final class RawConnection {
    let fd: Int32

    init(port: Int) throws {
        #if canImport(Glibc)
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    deinit { close(fd) }

    /// Sends `text`; false when the server has closed the connection.
    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        #if canImport(Glibc)
            return Glibc.send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count
        #else
            return Darwin.send(fd, bytes, bytes.count, 0) == bytes.count
        #endif
    }

    /// What arrives within `seconds`, and whether the server closed; with `untilHead`, returns as soon as a whole
    /// response head is in (so a loaded machine gets the time and a quick one does not wait it out).
    func read(for seconds: Double, untilHead: Bool = false) async -> (text: String, closed: Bool) {
        var received: [UInt8] = []
        let end = ContinuousClock.now + .milliseconds(Int(seconds * 1_000))
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while ContinuousClock.now < end {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 {
                received += buffer[0..<n]
                if untilHead, received.firstRange(of: Array("\r\n\r\n".utf8)) != nil { break }
                continue
            }
            if n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) { return (String(decoding: received, as: UTF8.self), true) }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return (String(decoding: received, as: UTF8.self), false)
    }
}

/// The server's timeouts (issue 23, item 8) against a live server on an ephemeral port, with small values: a head not
/// complete in time closes the connection, an idle keep-alive connection closes, a trickled body answers 408.
@Suite(.serialized) struct TimeoutTests {
    static func live(
        _ timeouts: ServerTimeouts, _ body: @escaping @Sendable (Int, Scenario) async throws -> Void
    ) async throws {
        let s = try await Scenario()
        s.settings.server = timeouts
        let ctx = ServerContext(dispatcher: s.dispatcher, clock: .fixed(utc("2026-10-02T15:00:00Z")))
        try await buildApplication(ctx, host: "127.0.0.1", port: 0).test(.live) { client in
            try await body(try #require(client.port), s)
        }
    }

    static var quick: ServerTimeouts {
        var t = ServerTimeouts()
        t.head = .milliseconds(500)
        t.idle = .seconds(5)
        return t
    }

    @Test func aHeadTrickledAByteAtATimeIsClosedAtItsDeadline() async throws {
        try await Self.live(Self.quick) { port, _ in
            let c = try RawConnection(port: port)
            c.send("GET /health HTTP/1.1\r\nHost: x\r\n")
            var closed = false
            let start = ContinuousClock.now
            // A byte every 100 ms: each would restart an idle timeout.
            for _ in 0..<40 where !closed {
                closed = await c.read(for: 0.1).closed || !c.send("X")
            }
            #expect(closed)
            // Well before the idle timeout (5 s), with room for a loaded machine.
            #expect(ContinuousClock.now - start < .milliseconds(2_500))
            #expect(ContinuousClock.now - start >= .milliseconds(400))
        }
    }

    @Test func aConnectionThatSendsNothingIsClosedAtTheHeadDeadline() async throws {
        try await Self.live(Self.quick) { port, _ in
            let connections = try (0..<20).map { _ in try RawConnection(port: port) }
            connections[0].send("GE")
            for c in connections { #expect(await c.read(for: 1.5).closed) }
        }
    }

    @Test func anIdleKeepAliveConnectionIsClosedAndABusyOneIsNot() async throws {
        var t = Self.quick
        t.head = .seconds(5)
        t.idle = .seconds(2)
        try await Self.live(t) { port, _ in
            let c = try RawConnection(port: port)
            // Requests 300 ms apart: each within the idle timeout, and each answered (read as soon as its head is in,
            // so a loaded machine's slow answer does not stretch the gap past the timeout).
            for _ in 0..<3 {
                let sent = ContinuousClock.now
                c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                var answer = await c.read(for: 0.05)
                while !answer.closed && !answer.text.contains("\r\n\r\n") && ContinuousClock.now - sent < .milliseconds(1_800) {
                    let more = await c.read(for: 0.05)
                    answer = (answer.text + more.text, more.closed)
                }
                #expect(answer.text.contains("HTTP/1.1 200"))
                #expect(!answer.closed)
                try await Task.sleep(until: sent + .milliseconds(300))
            }
            let idle = await c.read(for: 6)
            #expect(idle.closed)
        }
    }

    /// A 513 MiB upload took minutes to refuse: now its head alone is answered 413, and the connection closes.
    @Test func anUploadOverTheLimitIsRefusedFromItsHead() async throws {
        try await Self.live(Self.quick) { port, s in
            let token = try await APIv1Tests().token(s, "kliu", .fiManager)
            let c = try RawConnection(port: port)
            c.send(
                "POST /api/v1/deals/import HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nContent-Type: text/csv\r\n"
                    + "Content-Length: \(513 * 1_048_576)\r\n\r\nfirst row")
            let answer = await c.read(for: 3)
            #expect(answer.text.hasPrefix("HTTP/1.1 413"))
            #expect(answer.closed)
        }
    }

    @Test func aTrickledBodyAnswers408() async throws {
        var t = Self.quick
        t.head = .seconds(5)
        // The route's own check (one window after its handler starts reading) must come before the connection's
        // backstop (two windows after the head): a window of 2 s leaves a handler 1.5 s to start on a loaded machine.
        // At 300 ms a handler that started late was beaten by the backstop's close, and no 408 was read.
        t.bodyRateWindow = .seconds(2)
        t.bodyMinBytesPerSecond = 1_024
        try await Self.live(t) { port, s in
            let token = try await APIv1Tests().token(s, "kliu", .fiManager)
            let c = try RawConnection(port: port)
            c.send(
                "POST /api/v1/deals/import HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nContent-Type: text/csv\r\n"
                    + "Content-Length: 100000\r\n\r\n")
            var answer = ""
            // Up to 10 s: a loaded machine may check the rate late, but 20 bytes a second never passes it. Each send is
            // followed by a long read: a byte sent after the server's answer and close would be reset, and a reset
            // throws away the answer not yet read.
            for _ in 0..<20 where answer.isEmpty {
                c.send("0123456789")
                answer = await c.read(for: 0.5).text
            }
            #expect(answer.hasPrefix("HTTP/1.1 408"))
            // The rest of the body is not waited for: the connection closes soon after.
            #expect(await c.read(for: 3).closed)
        }
    }

    /// Every other body is held to the same rule at the connection: a sign-in form trickled a byte at a time (each
    /// byte would restart the idle timeout) is cut off once a check of its rate finds too few bytes.
    @Test func aTrickledFormBodyIsCutOff() async throws {
        var t = Self.quick
        t.head = .seconds(5)
        t.bodyRateWindow = .milliseconds(200)
        try await Self.live(t) { port, _ in
            let c = try RawConnection(port: port)
            c.send("POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000\r\n\r\n")
            var closed = false
            let start = ContinuousClock.now
            for _ in 0..<40 where !closed { closed = await c.read(for: 0.1).closed || !c.send("a") }
            #expect(closed)
            #expect(ContinuousClock.now - start < .milliseconds(3_000))
        }
    }

    /// A body fast enough for the rate but longer in all than the body timeout (and its grace) is cut off too.
    @Test func aFormBodyLongerThanTheBodyTimeoutIsCutOff() async throws {
        var t = Self.quick
        t.head = .seconds(5)
        t.body = .milliseconds(400)
        t.bodyMinBytesPerSecond = 1
        try await Self.live(t) { port, _ in
            let c = try RawConnection(port: port)
            c.send("POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000\r\n\r\n")
            var closed = false
            let start = ContinuousClock.now
            for _ in 0..<40 where !closed { closed = await c.read(for: 0.1).closed || !c.send("aaaa") }
            #expect(closed)
            #expect(ContinuousClock.now - start >= .milliseconds(700))
            #expect(ContinuousClock.now - start < .milliseconds(3_000))
        }
    }

    /// A request that ends (its whole body in) leaves no deadline behind: the connection serves the next one.
    @Test func aBodyThatEndsLeavesTheConnectionOpen() async throws {
        var t = Self.quick
        t.head = .seconds(5)
        t.body = .milliseconds(300)
        t.bodyRateWindow = .milliseconds(100)
        try await Self.live(t) { port, _ in
            let c = try RawConnection(port: port)
            c.send(
                "POST /webhooks/sms/status HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\na=b"
            )
            let first = await c.read(for: 5.0, untilHead: true)
            #expect(first.text.hasPrefix("HTTP/1.1 "))
            let later = await c.read(for: 1.0)
            #expect(!later.closed)
            c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(await c.read(for: 5.0, untilHead: true).text.hasPrefix("HTTP/1.1 "))
        }
    }
}
